package io.lrpsidecar.engine;

import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The explanation of a batch.
 *
 * @param logits             the explained output {@code [rows, classes]}
 * @param targets            the target class of each row
 * @param contrasts          the class each row is contrasted with ({@link Contrast#NONE}: none); see
 *                           {@link Target.Contrastive}
 * @param initialRelevance   the relevance put on each row's target (the logit, or 1), minus the one put on its
 *                           contrast class if it has one
 * @param relevance          the input relevance, shaped like the input
 * @param ledger             per layer, in topological order, the relevance in and out of each row
 * @param valueRelevanceSums per value name, the sum of the relevance that reached it, for each row
 */
public record Explanation(Tensor logits, int[] targets, int[] contrasts, double[] initialRelevance,
        Tensor relevance, List<LedgerEntry> ledger, Map<String, double[]> valueRelevanceSums) {

    public Explanation {
        if (contrasts.length != targets.length) {
            throw new IllegalArgumentException("expected one contrast per target (" + targets.length + "), found "
                    + contrasts.length);
        }
    }

    /** An explanation without contrast classes. */
    public Explanation(Tensor logits, int[] targets, double[] initialRelevance, Tensor relevance,
            List<LedgerEntry> ledger, Map<String, double[]> valueRelevanceSums) {
        this(logits, targets, noContrasts(targets.length), initialRelevance, relevance, ledger, valueRelevanceSums);
    }

    /** Whether a row explains its target against a contrast class. */
    public boolean contrastive(int row) {
        return contrasts[row] >= 0;
    }

    /**
     * Whether a row is contrasted with its own target: its initial and input relevance are then 0 by construction,
     * which says nothing about the input.
     */
    public boolean contrastIsTarget(int row) {
        return contrasts[row] == targets[row];
    }

    /**
     * The relevance put on the explained output of each row: {@code s_t}, or {@code s_t - s_K} against contrast class
     * K, with {@code s} the logit ({@link InitMode#LOGIT}) or 1.
     */
    public static double[] initialRelevance(double[][] logits, int[] targets, int[] contrasts, InitMode init) {
        double[] initial = new double[targets.length];
        for (int row = 0; row < targets.length; row++) {
            initial[row] = init == InitMode.LOGIT ? logits[row][targets[row]] : 1.0;
            if (contrasts[row] >= 0) {
                initial[row] -= init == InitMode.LOGIT ? logits[row][contrasts[row]] : 1.0;
            }
        }
        return initial;
    }

    private static int[] noContrasts(int rows) {
        int[] none = new int[rows];
        Arrays.fill(none, Contrast.NONE);
        return none;
    }

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
