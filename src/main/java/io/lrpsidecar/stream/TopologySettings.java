package io.lrpsidecar.stream;

import java.time.Duration;

/**
 * How the explain topology batches, retries, bounds records and keeps explanations for queries.
 *
 * @param punctuateInterval how often (wall clock) waiting batches are checked against their max-wait
 * @param explainAttempts   attempts at explaining a batch before its events go to the dead-letter topic
 * @param recentRetention   how long explanations are kept for the query API
 * @param maxRecordBytes    the largest record read or written: a prediction record above it is dead-lettered before
 *                          it is decoded, an explanation above it is dead-lettered instead of sent, and a dead letter
 *                          keeps prefixes of the original bytes so that it stays below it. The producer's
 *                          {@code max.request.size} and the topics' {@code max.message.bytes} must admit it
 */
public record TopologySettings(Duration punctuateInterval, int explainAttempts, Duration recentRetention,
        int maxRecordBytes) {
    /** Below the broker's default {@code message.max.bytes} (1,048,588) and the producer's default request size. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_000_000;

    public TopologySettings {
        if (punctuateInterval.isNegative() || punctuateInterval.isZero() || explainAttempts < 1
                || recentRetention.isNegative() || recentRetention.isZero()) {
            throw new IllegalArgumentException("expected a positive punctuate interval, at least one attempt and a "
                    + "positive retention, found " + punctuateInterval + ", " + explainAttempts + " and "
                    + recentRetention);
        }
        if (maxRecordBytes < 2 * DeadLetters.FIXED_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("expected a record size limit of at least "
                    + 2 * DeadLetters.FIXED_OVERHEAD_BYTES + " bytes, found " + maxRecordBytes);
        }
    }

    public static TopologySettings defaults() {
        return new TopologySettings(Duration.ofMillis(10), 3, Duration.ofHours(6), DEFAULT_MAX_RECORD_BYTES);
    }
}
