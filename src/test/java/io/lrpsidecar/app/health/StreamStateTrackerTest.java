package io.lrpsidecar.app.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.testing.CapturedLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** Liveness and readiness from the Kafka Streams states, on a clock the test moves. */
class StreamStateTrackerTest {
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final TestClock clock = new TestClock(START);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final StreamStateTracker tracker = new StreamStateTracker(clock, meters);

    @Test
    void startupIsReadyWithinTheGraceAndDownAfterItButAlwaysAlive() {
        clock.advance(Duration.ofSeconds(30));
        Verdict ready = tracker.readiness(GRACE);
        assertTrue(ready.up(), ready.toString());
        assertEquals("CREATED", ready.details().get("state"));
        clock.advance(Duration.ofSeconds(1));
        Verdict late = tracker.readiness(GRACE);
        assertFalse(late.up(), late.toString());
        assertTrue(late.condition().startsWith("not RUNNING or REBALANCING for longer than the grace of PT30S"),
                late.condition());
        assertEquals(START, late.since(), "out of service since the client was created");
        assertTrue(tracker.liveness().up(), "waiting (for topics, say) is not death");
        assertEquals(1.0, meters.get("lrp.stream.alive").gauge().value());
    }

    @Test
    void rebalancingAndRunningAreReadyHoweverLong() {
        clock.advance(Duration.ofSeconds(40));
        tracker.onChange(State.REBALANCING, State.CREATED);
        clock.advance(Duration.ofMinutes(5));
        assertTrue(tracker.readiness(GRACE).up(), "a long rebalance (state restoration) is ready");
        tracker.onChange(State.RUNNING, State.REBALANCING);
        clock.advance(Duration.ofHours(1));
        Verdict running = tracker.readiness(GRACE);
        assertTrue(running.up());
        assertEquals(START.plusSeconds(40).plus(Duration.ofMinutes(5)), running.since());
        assertEquals("RUNNING", running.details().get("state"));
    }

    @Test
    void theGraceCountsFromLeavingRunningNotFromTheLastStateChange() {
        tracker.onChange(State.REBALANCING, State.CREATED);
        tracker.onChange(State.RUNNING, State.REBALANCING);
        clock.advance(Duration.ofMinutes(1));
        tracker.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        clock.advance(Duration.ofSeconds(20));
        tracker.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
        clock.advance(Duration.ofSeconds(11));
        Verdict ready = tracker.readiness(GRACE);
        assertFalse(ready.up(), ready.toString());
        assertEquals(START.plus(Duration.ofMinutes(1)), ready.since());
    }

    @Test
    void aCleanShutdownIsNotDeath() {
        try (CapturedLog log = new CapturedLog(StreamStateTracker.class.getName())) {
            tracker.onChange(State.REBALANCING, State.CREATED);
            tracker.onChange(State.RUNNING, State.REBALANCING);
            tracker.threadFailed(new IllegalStateException("replaced once"), false);
            tracker.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
            tracker.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
            assertFalse(tracker.dead());
            assertTrue(tracker.liveness().up());
            assertEquals(List.of(), log.errors());
            assertEquals(0.0, meters.get("lrp.stream.deaths").counter().count());
        }
    }

    @Test
    void errorIsDeathWithOneErrorLineTheCauseAndTheMetric() {
        try (CapturedLog log = new CapturedLog(StreamStateTracker.class.getName())) {
            tracker.onChange(State.REBALANCING, State.CREATED);
            tracker.onChange(State.RUNNING, State.REBALANCING);
            clock.advance(Duration.ofSeconds(5));
            tracker.threadFailed(new RuntimeException("task 0_1 failed:\n\tat some.Frame(Frame.java:1)",
                    new java.io.IOException("No space left on device")), true);
            tracker.onChange(State.PENDING_ERROR, State.RUNNING);
            clock.advance(Duration.ofSeconds(1));
            tracker.onChange(State.ERROR, State.PENDING_ERROR);
            tracker.onChange(State.PENDING_SHUTDOWN, State.ERROR);
            tracker.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);

            assertTrue(tracker.dead());
            Verdict liveness = tracker.liveness();
            assertFalse(liveness.up());
            assertEquals(START.plusSeconds(5), liveness.since(), "dead since PENDING_ERROR");
            assertTrue(liveness.condition().contains("java.lang.RuntimeException: task 0_1 failed: <- "
                    + "java.io.IOException: No space left on device"), liveness.condition());
            assertFalse(tracker.readiness(GRACE).up(), "dead is not ready, grace or not");
            assertEquals(1, log.errors().size(), log.errors().toString());
            String line = log.errors().get(0);
            assertFalse(line.contains("\n"), "one line: " + line);
            assertTrue(line.contains("RUNNING -> PENDING_ERROR") && line.contains("No space left on device"), line);
            assertEquals(1.0, meters.get("lrp.stream.deaths").counter().count());
            assertEquals(0.0, meters.get("lrp.stream.alive").gauge().value());
        }
    }

    @Test
    void stoppingAfterAFatalThreadFailureIsDeath() {
        tracker.onChange(State.REBALANCING, State.CREATED);
        tracker.onChange(State.RUNNING, State.REBALANCING);
        tracker.threadFailed(new IllegalStateException("state directory locked"), true);
        tracker.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        assertTrue(tracker.dead());
        assertTrue(tracker.liveness().condition().contains("state directory locked"));
    }

    @Test
    void anErrorWithoutAReportedFailureIsStillDeathAndSaysSo() {
        tracker.onChange(State.ERROR, State.CREATED);
        assertFalse(tracker.liveness().up());
        assertTrue(tracker.liveness().condition().endsWith("no thread failure was reported"),
                tracker.liveness().condition());
    }
}
