package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.PredictionEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags of one explained prediction:
 * <ul>
 *   <li>MISCLASSIFIED: a label is present and differs from the class production reported;</li>
 *   <li>PREDICTION_MISMATCH: the sidecar's class differs from the reported one, or reported logits differ from the
 *       recomputed ones by more than the tolerance (what production serves is not the model explained);</li>
 *   <li>CONSERVATION: the relative conservation error exceeds the threshold;</li>
 *   <li>LOW_CONFIDENCE: the top softmax probability of the recomputed logits is below the threshold.</li>
 * </ul>
 */
final class Flags {
    private Flags() {
    }

    static List<Flag> of(PredictionEvent event, double[] logits, int predicted, double conservationError,
            ModelSettings settings) {
        List<Flag> flags = new ArrayList<>();
        if (event.getLabel() != null && event.getLabel() != event.getReportedClass()) {
            flags.add(Flag.MISCLASSIFIED);
        }
        if (predicted != event.getReportedClass() || reportedLogitsDiffer(event.getReportedScores(), logits,
                settings.logitTolerance())) {
            flags.add(Flag.PREDICTION_MISMATCH);
        }
        if (!(conservationError <= settings.conservationThreshold())) {
            flags.add(Flag.CONSERVATION);
        }
        if (topProbability(logits) < settings.lowConfidence()) {
            flags.add(Flag.LOW_CONFIDENCE);
        }
        return flags;
    }

    private static boolean reportedLogitsDiffer(List<Float> reported, double[] logits, double tolerance) {
        if (reported == null) {
            return false;
        }
        if (reported.size() != logits.length) {
            return true;
        }
        for (int k = 0; k < logits.length; k++) {
            if (Math.abs(reported.get(k) - logits[k]) > tolerance) {
                return true;
            }
        }
        return false;
    }

    /** The largest softmax probability of the logits. */
    static double topProbability(double[] logits) {
        return java.util.Arrays.stream(ClassProbabilities.softmax(logits)).max().orElse(Double.NaN);
    }
}
