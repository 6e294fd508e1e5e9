package io.lrpsidecar.stream;

import java.time.Duration;
import java.util.List;

/**
 * How one served model is explained and judged.
 *
 * @param composite             the default composite spec
 * @param targetPolicy          which class to explain by default
 * @param featureNames          names of the input features (flat C order), or empty
 * @param maxBatchSize          a batch is explained as soon as it has this many events
 * @param maxWait               ... or when its oldest event has waited this long
 * @param conservationThreshold relative conservation error above which CONSERVATION is flagged
 * @param lowConfidence         top softmax probability below which LOW_CONFIDENCE is flagged
 * @param logitTolerance        largest difference between reported and recomputed logits before
 *                              PREDICTION_MISMATCH is flagged
 * @param maxInputBytes         the largest input tensor accepted
 * @param topK                  how many top features an explanation lists
 */
public record ModelSettings(String composite, TargetPolicy targetPolicy, List<String> featureNames, int maxBatchSize,
        Duration maxWait, double conservationThreshold, double lowConfidence, double logitTolerance,
        int maxInputBytes, int topK) {

    public ModelSettings {
        featureNames = List.copyOf(featureNames);
        if (maxBatchSize < 1 || maxWait.isNegative() || maxWait.isZero() || maxInputBytes < 1 || topK < 0) {
            throw new IllegalArgumentException("model settings need max-batch-size >= 1, max-wait > 0, "
                    + "max-input-bytes >= 1 and top-k >= 0; found " + maxBatchSize + ", " + maxWait + ", "
                    + maxInputBytes + ", " + topK);
        }
    }
}
