package io.lrpsidecar.stream;

import java.time.Duration;

/**
 * How the explain topology batches, retries and keeps explanations for queries.
 *
 * @param punctuateInterval how often (wall clock) waiting batches are checked against their max-wait
 * @param explainAttempts   attempts at explaining a batch before its events go to the dead-letter topic
 * @param recentRetention   how long explanations are kept for the query API
 */
public record TopologySettings(Duration punctuateInterval, int explainAttempts, Duration recentRetention) {

    public TopologySettings {
        if (punctuateInterval.isNegative() || punctuateInterval.isZero() || explainAttempts < 1
                || recentRetention.isNegative() || recentRetention.isZero()) {
            throw new IllegalArgumentException("expected a positive punctuate interval, at least one attempt and a "
                    + "positive retention, found " + punctuateInterval + ", " + explainAttempts + " and "
                    + recentRetention);
        }
    }

    public static TopologySettings defaults() {
        return new TopologySettings(Duration.ofMillis(10), 3, Duration.ofHours(6));
    }
}
