package io.lrpsidecar.app.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.testing.CapturedLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** Threads are replaced within a budget per window; beyond it, or for an Error, the client shuts down. */
class ThreadReplacementPolicyTest {
    private static final StreamThreadExceptionResponse REPLACE_THREAD = StreamThreadExceptionResponse.REPLACE_THREAD;
    private static final StreamThreadExceptionResponse SHUTDOWN_CLIENT = StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

    private final TestClock clock = new TestClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final StreamStateTracker tracker = new StreamStateTracker(clock, meters);

    @Test
    void replacesUpToTheBudgetThenShutsTheClientDown() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(10), clock, tracker,
                meters);
        try (CapturedLog log = new CapturedLog(ThreadReplacementPolicy.class.getName())) {
            assertEquals(REPLACE_THREAD, policy.handle(new StreamsException("broker timed out")));
            clock.advance(Duration.ofMinutes(3));
            assertEquals(REPLACE_THREAD, policy.handle(new StreamsException("broker timed out")));
            clock.advance(Duration.ofMinutes(3));
            assertEquals(SHUTDOWN_CLIENT, policy.handle(new StreamsException("broker timed out again")));
            assertEquals(2, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(1).startsWith("A Kafka Streams thread died and is replaced (2 of 2 "
                    + "replacements within PT10M): org.apache.kafka.streams.errors.StreamsException: broker timed "
                    + "out"), log.warnings().get(1));
        }
        assertEquals(2.0, meters.get("lrp.stream.thread.replacements").counter().count());
        tracker.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        assertTrue(tracker.dead(), "the shutdown it chose is a death");
        assertTrue(tracker.liveness().condition().endsWith("broker timed out again"));
    }

    @Test
    void replacementsOlderThanTheWindowNoLongerCount() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(10), clock, tracker,
                meters);
        for (int i = 0; i < 6; i++) {
            assertEquals(REPLACE_THREAD, policy.handle(new StreamsException("failure " + i)), "failure " + i);
            clock.advance(Duration.ofMinutes(5));
        }
        tracker.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        assertFalse(tracker.dead(), "replaced threads and a clean shutdown are no death");
    }

    @Test
    void anErrorInTheCauseChainShutsDownAtOnce() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(3, Duration.ofMinutes(10), clock, tracker,
                meters);
        assertEquals(SHUTDOWN_CLIENT, policy.handle(new StreamsException("task failed",
                new StackOverflowError("deep"))));
        assertEquals(0.0, meters.get("lrp.stream.thread.replacements").counter().count());
    }

    @Test
    void aBudgetOfZeroNeverReplaces() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(0, Duration.ofMinutes(10), clock, tracker,
                meters);
        assertEquals(SHUTDOWN_CLIENT, policy.handle(new StreamsException("first failure")));
    }
}
