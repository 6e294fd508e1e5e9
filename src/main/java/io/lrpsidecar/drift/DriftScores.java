package io.lrpsidecar.drift;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Compares a current importance profile with a baseline one; both are non-negative masses over the same cells.
 * <ul>
 *   <li><b>nDCG</b>, as Amazon SageMaker Clarify scores feature-attribution drift ("Feature attribution drift
 *   violations", SageMaker Developer Guide, model monitor): with the cells ranked by their <i>current</i> importance,
 *   {@code x_1, ..., x_n}, and {@code a(x)} a cell's <i>baseline</i> importance,
 *   <pre>DCG = Σ_{i=1..n} a(x_i) / log2(i + 1)</pre>
 *   and {@code iDCG} the same sum over the cells ranked by their baseline importance (the best any ranking can do);
 *   {@code nDCG = DCG / iDCG}, in [0, 1], 1 when the current ranking orders the cells as the baseline does (Järvelin
 *   and Kekäläinen 2002, "Cumulated gain-based evaluation of IR techniques"). Clarify raises a violation below 0.90.
 *   The drift reported is {@code 1 - nDCG}. Ties in the current ranking go to the lower cell index.</li>
 *   <li><b>Jensen–Shannon divergence</b> of the normalised masses {@code P} (current) and {@code Q} (baseline), in
 *   bits (Lin 1991, "Divergence measures based on the Shannon entropy"): with {@code M = (P + Q) / 2},
 *   <pre>JSD = ½ Σ P log2(P / M) + ½ Σ Q log2(Q / M)</pre>
 *   in [0, 1], 0 for equal profiles, 1 for profiles on disjoint cells; terms with a zero numerator are 0.</li>
 * </ul>
 */
public final class DriftScores {
    /** Clarify's default threshold on nDCG: drift above {@code 1 - 0.90} is a violation. */
    public static final double CLARIFY_NDCG_THRESHOLD = 0.90;
    /** The drift ({@code 1 - nDCG}) above which the bundled alert fires: Clarify's default, {@code 1 - 0.90}. */
    public static final double NDCG_DRIFT_THRESHOLD = 0.10;
    /**
     * The Jensen–Shannon divergence (bits) above which the bundled alert fires: about four times the 95th percentile
     * of the divergence between two 1000-event windows of the same traffic (the default windows), measured on the
     * demo breast-cancer model (docs/drift.md). nDCG ranks all cells with a discount, so two swapped cells among
     * thirty barely move it; the divergence weighs every cell's mass and sees them.
     */
    public static final double JSD_THRESHOLD = 0.02;

    private DriftScores() {
    }

    /** Both scores; NaN when either profile has no mass. */
    public record Scores(double ndcg, double jsd) {
        /** {@code 1 - nDCG}. */
        public double ndcgDrift() {
            return 1 - ndcg;
        }
    }

    public static Scores of(double[] current, double[] baseline) {
        return new Scores(ndcg(current, baseline), jensenShannon(current, baseline));
    }

    /** nDCG of the current ranking with the baseline importances as gains; NaN if either has no mass. */
    public static double ndcg(double[] current, double[] baseline) {
        check(current, baseline);
        if (!(total(current) > 0) || !(total(baseline) > 0)) {
            return Double.NaN;
        }
        double dcg = discountedGain(ranking(current), baseline);
        double ideal = discountedGain(ranking(baseline), baseline);
        return Math.min(1, dcg / ideal);
    }

    /** Jensen–Shannon divergence in bits of the two masses, each normalised; NaN if either has no mass. */
    public static double jensenShannon(double[] current, double[] baseline) {
        check(current, baseline);
        double p = total(current);
        double q = total(baseline);
        if (!(p > 0) || !(q > 0)) {
            return Double.NaN;
        }
        double divergence = 0;
        for (int cell = 0; cell < current.length; cell++) {
            double pi = current[cell] / p;
            double qi = baseline[cell] / q;
            double mi = (pi + qi) / 2;
            if (pi > 0) {
                divergence += 0.5 * pi * log2(pi / mi);
            }
            if (qi > 0) {
                divergence += 0.5 * qi * log2(qi / mi);
            }
        }
        return Math.max(0, Math.min(1, divergence));
    }

    /** Cell indices by decreasing mass, lower index first on ties. */
    static int[] ranking(double[] mass) {
        return IntStream.range(0, mass.length).boxed()
                .sorted(Comparator.comparingDouble((Integer cell) -> -mass[cell]).thenComparingInt(cell -> cell))
                .mapToInt(Integer::intValue).toArray();
    }

    private static double discountedGain(int[] order, double[] gains) {
        double sum = 0;
        for (int i = 0; i < order.length; i++) {
            sum += gains[order[i]] / log2(i + 2);
        }
        return sum;
    }

    private static double total(double[] mass) {
        return Arrays.stream(mass).sum();
    }

    private static double log2(double value) {
        return Math.log(value) / Math.log(2);
    }

    private static void check(double[] current, double[] baseline) {
        if (current.length != baseline.length) {
            throw new IllegalArgumentException("expected profiles over the same cells, found " + current.length
                    + " current and " + baseline.length + " baseline cells");
        }
    }
}
