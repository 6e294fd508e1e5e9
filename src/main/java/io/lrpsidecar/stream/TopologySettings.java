package io.lrpsidecar.stream;

import java.time.Duration;

/**
 * How the explain topology batches and retries.
 *
 * @param punctuateInterval how often (wall clock) waiting batches are checked against their max-wait
 * @param explainAttempts   attempts at explaining a batch before its events go to the dead-letter topic
 */
public record TopologySettings(Duration punctuateInterval, int explainAttempts) {

    public TopologySettings {
        if (punctuateInterval.isNegative() || punctuateInterval.isZero() || explainAttempts < 1) {
            throw new IllegalArgumentException("expected a positive punctuate interval and at least one attempt, "
                    + "found " + punctuateInterval + " and " + explainAttempts);
        }
    }

    public static TopologySettings defaults() {
        return new TopologySettings(Duration.ofMillis(10), 3);
    }
}
