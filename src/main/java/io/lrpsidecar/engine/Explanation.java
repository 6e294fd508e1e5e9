package io.lrpsidecar.engine;

import io.lrpsidecar.graph.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The explanation of a batch.
 *
 * @param logits             the explained output {@code [rows, classes]}
 * @param targets            the target class of each row
 * @param initialRelevance   the relevance put on each row's target (the logit, or 1)
 * @param relevance          the input relevance, shaped like the input
 * @param ledger             per layer, in topological order, the relevance in and out of each row
 * @param valueRelevanceSums per value name, the sum of the relevance that reached it, for each row
 */
public record Explanation(Tensor logits, int[] targets, double[] initialRelevance, Tensor relevance,
        List<LedgerEntry> ledger, Map<String, double[]> valueRelevanceSums) {

    public int rows() {
        return targets.length;
    }

    public double logit(int row, int classIndex) {
        return logits.doubles()[row * logits.dim(1) + classIndex];
    }

    /** The sum of the input relevance of one row. */
    public double relevanceSum(int row) {
        int width = relevance.size() / rows();
        double sum = 0;
        for (int i = row * width; i < (row + 1) * width; i++) {
            sum += relevance.doubles()[i];
        }
        return sum;
    }

    /** How far the input relevance of a row is from what was put on the target, relative to the latter. */
    public double conservationError(int row) {
        return ConservationMath.relativeError(initialRelevance[row], relevanceSum(row));
    }
}
