package io.lrpsidecar.app.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cached broker probe result: reachability and missing topics, since when, and when it is too old. */
class BrokerStatusTest {
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private final TestClock clock = new TestClock(START);
    private final BrokerStatus status = new BrokerStatus(clock, Duration.ofSeconds(14));

    @Test
    void beforeAnyProbeBothAreDown() {
        assertFalse(status.broker().up());
        assertEquals("broker unreachable: no broker probe has answered yet", status.broker().condition());
        assertFalse(status.topics().up());
        assertEquals(START, status.topics().since());
    }

    @Test
    void missingTopicsAreNamedSinceTheyWereFirstSeenMissing() {
        clock.advance(Duration.ofSeconds(1));
        status.reached(Set.of("predictions-replay", "predictions"));
        clock.advance(Duration.ofSeconds(5));
        status.reached(Set.of("predictions", "predictions-replay"));
        Verdict topics = status.topics();
        assertFalse(topics.up());
        assertEquals("input topics missing: predictions, predictions-replay", topics.condition());
        assertEquals("predictions,predictions-replay", topics.details().get("missing"));
        assertEquals(START.plusSeconds(1), topics.since());
        assertTrue(status.broker().up());

        clock.advance(Duration.ofSeconds(5));
        status.reached(Set.of());
        assertTrue(status.topics().up());
        assertEquals(START.plusSeconds(11), status.topics().since());
    }

    @Test
    void anUnreachableBrokerIsDownSinceTheFirstFailedProbeWithTheReason() {
        status.reached(Set.of());
        clock.advance(Duration.ofSeconds(5));
        status.unreachable("no answer within PT2S");
        clock.advance(Duration.ofSeconds(5));
        status.unreachable("no answer within PT2S");
        Verdict broker = status.broker();
        assertFalse(broker.up());
        assertEquals("broker unreachable: no answer within PT2S", broker.condition());
        assertEquals(START.plusSeconds(5), broker.since());
        assertTrue(status.topics().up(), "topics keep the last answer; the broker check carries the outage");

        clock.advance(Duration.ofSeconds(5));
        status.reached(Set.of());
        assertTrue(status.broker().up());
        assertEquals(START.plusSeconds(15), status.broker().since());
    }

    @Test
    void aResultOlderThanTheMaximumAgeNoLongerCounts() {
        status.reached(Set.of());
        clock.advance(Duration.ofSeconds(14));
        assertTrue(status.broker().up());
        clock.advance(Duration.ofSeconds(1));
        Verdict stale = status.broker();
        assertFalse(stale.up());
        assertEquals("broker unknown: no probe result for longer than PT14S", stale.condition());
        assertEquals(START, stale.since());
    }
}
