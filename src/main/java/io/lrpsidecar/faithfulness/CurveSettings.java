package io.lrpsidecar.faithfulness;

/**
 * How perturbation curves are drawn.
 *
 * @param steps        the number of steps after the unperturbed input; with {@code n} regions the curve has
 *                     {@code L + 1} points where {@code L = min(steps, n)}, and step {@code k} perturbs the first
 *                     {@code ⌊k·n / L⌋} regions of the order
 * @param region       how the input is cut into regions
 * @param baseline     what perturbed regions are replaced with
 * @param seed         the seed of the random control order
 * @param maxBatchRows the most perturbed rows sent to the model in one run
 */
public record CurveSettings(int steps, RegionSpec region, Baseline baseline, long seed, int maxBatchRows) {
    public static final long DEFAULT_SEED = 20240101L;

    public CurveSettings {
        if (steps < 1) {
            throw new IllegalArgumentException("expected at least 1 perturbation step, found " + steps);
        }
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("expected at least 1 row per model run, found " + maxBatchRows);
        }
    }

    /** The number of steps for {@code regions} regions: {@code min(steps, regions)}. */
    public int stepsFor(int regions) {
        return Math.min(steps, regions);
    }

    /** The number of regions perturbed at step {@code k} of {@code stepCount}: {@code ⌊k·n / L⌋}. */
    public static int perturbedAt(int k, int regions, int stepCount) {
        return (int) ((long) k * regions / stepCount);
    }
}
