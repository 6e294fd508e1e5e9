package io.lrpsidecar.app.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: each holds up to {@code burst} tokens, refilled at {@code requestsPerSecond}, and a
 * request takes one. At most {@code maxTrackedClients} buckets are kept; when a new client comes and the map is full,
 * the least recently seen client is forgotten (it starts again with a full bucket). A rate of 0 turns limiting off.
 * Time comes from a nanosecond clock so that tests can drive it.
 */
public final class RateLimiter {
    private static final double NANOS_PER_SECOND = 1e9;
    private final double tokensPerNano;
    private final int burst;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets;

    /** The limits: average rate, burst, and how many clients are tracked at most. */
    public record Limits(double requestsPerSecond, int burst, int maxTrackedClients) {
        public Limits {
            if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
                throw new IllegalArgumentException("expected requests-per-second to be 0 (off) or a positive "
                        + "finite number, found " + requestsPerSecond);
            }
            if (requestsPerSecond > 0 && burst < 1) {
                throw new IllegalArgumentException("expected burst of at least 1, found " + burst);
            }
            if (maxTrackedClients < 1) {
                throw new IllegalArgumentException("expected max-tracked-clients of at least 1, found "
                        + maxTrackedClients);
            }
        }

        boolean off() {
            return requestsPerSecond == 0;
        }
    }

    /** Whether a request may go ahead, and if not, how long until it may. */
    public record Decision(boolean allowed, Duration retryAfter) {
        static final Decision ALLOWED = new Decision(true, Duration.ZERO);
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long refilledAt) {
            this.tokens = tokens;
            this.refilledAt = refilledAt;
        }
    }

    public RateLimiter(Limits limits, LongSupplier nanoClock) {
        this.tokensPerNano = limits.requestsPerSecond() / NANOS_PER_SECOND;
        this.burst = limits.burst();
        this.nanoClock = nanoClock;
        int maxTracked = limits.off() ? 0 : limits.maxTrackedClients();
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxTracked;
            }
        };
    }

    /** Takes a token from {@code client}'s bucket if it has one. */
    public synchronized Decision acquire(String client) {
        if (tokensPerNano == 0) {
            return Decision.ALLOWED;
        }
        long now = nanoClock.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(client, key -> new Bucket(burst, now));
        bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.refilledAt) * tokensPerNano);
        bucket.refilledAt = now;
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return Decision.ALLOWED;
        }
        long wait = (long) Math.ceil((1 - bucket.tokens) / tokensPerNano);
        return new Decision(false, Duration.ofNanos(wait));
    }

    /** How many clients have a bucket now. */
    public synchronized int trackedClients() {
        return buckets.size();
    }
}
