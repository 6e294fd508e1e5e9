package io.lrpsidecar.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves: burst, refill, Retry-After, separate clients, bounded tracking. */
class RateLimiterTest {
    private long now = 1_000_000_000L;

    private RateLimiter limiter(double perSecond, int burst, int maxTracked) {
        return new RateLimiter(new RateLimiter.Limits(perSecond, burst, maxTracked), () -> now);
    }

    private void advance(Duration duration) {
        now += duration.toNanos();
    }

    @Test
    void aBurstPassesThenTheNextWaitsForOneRefill() {
        RateLimiter limiter = limiter(2, 3, 10);
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.acquire("key:a").allowed(), "request " + i + " of the burst of 3");
        }
        RateLimiter.Decision refused = limiter.acquire("key:a");
        assertFalse(refused.allowed());
        assertEquals(Duration.ofMillis(500), refused.retryAfter(), "one token at 2 per second takes 0.5 s");
        advance(Duration.ofMillis(499));
        assertFalse(limiter.acquire("key:a").allowed(), "not yet a whole token after 499 ms");
        advance(Duration.ofMillis(1));
        assertTrue(limiter.acquire("key:a").allowed(), "a whole token after 500 ms");
        assertFalse(limiter.acquire("key:a").allowed());
    }

    @Test
    void aLongQuietSpellRefillsOnlyUpToTheBurst() {
        RateLimiter limiter = limiter(10, 2, 10);
        assertTrue(limiter.acquire("key:a").allowed());
        assertTrue(limiter.acquire("key:a").allowed());
        advance(Duration.ofHours(1));
        assertTrue(limiter.acquire("key:a").allowed());
        assertTrue(limiter.acquire("key:a").allowed());
        assertFalse(limiter.acquire("key:a").allowed(), "the bucket holds 2, however long the pause");
    }

    @Test
    void clientsHaveTheirOwnBuckets() {
        RateLimiter limiter = limiter(1, 1, 10);
        assertTrue(limiter.acquire("key:a").allowed());
        assertFalse(limiter.acquire("key:a").allowed());
        assertTrue(limiter.acquire("address:10.0.0.2").allowed(), "another client is not held back by the first");
    }

    @Test
    void trackedClientsStayBoundedForgettingTheLeastRecentlySeen() {
        RateLimiter limiter = limiter(1, 1, 3);
        for (int i = 0; i < 1000; i++) {
            limiter.acquire("address:10.0." + (i / 256) + "." + (i % 256));
            assertTrue(limiter.trackedClients() <= 3, "at most 3 buckets, found " + limiter.trackedClients());
        }
        assertEquals(3, limiter.trackedClients());
        RateLimiter small = limiter(1, 1, 2);
        assertTrue(small.acquire("a").allowed());
        assertTrue(small.acquire("b").allowed());
        assertFalse(small.acquire("a").allowed(), "a is tracked and empty; it is now the most recently seen");
        assertTrue(small.acquire("c").allowed(), "c pushes out b, the least recently seen");
        assertFalse(small.acquire("a").allowed(), "a is still tracked and still empty");
        assertTrue(small.acquire("b").allowed(), "b was forgotten, so it starts with a full bucket");
    }

    @Test
    void rateZeroIsOffAndTracksNobody() {
        RateLimiter limiter = limiter(0, 0, 10);
        for (int i = 0; i < 100; i++) {
            assertTrue(limiter.acquire("key:a").allowed());
        }
        assertEquals(0, limiter.trackedClients());
    }

    @Test
    void badSettingsAreRefusedWithWhatWasFound() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new RateLimiter.Limits(-1, 5, 10));
        assertTrue(negative.getMessage().contains("-1.0"), negative.getMessage());
        IllegalArgumentException noBurst = assertThrows(IllegalArgumentException.class,
                () -> new RateLimiter.Limits(5, 0, 10));
        assertTrue(noBurst.getMessage().contains("burst"), noBurst.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter.Limits(Double.NaN, 5, 10));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter.Limits(5, 5, 0));
    }
}
