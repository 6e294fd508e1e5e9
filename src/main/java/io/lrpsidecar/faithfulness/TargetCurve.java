package io.lrpsidecar.faithfulness;

/**
 * The target class's output along one perturbation curve, from the unperturbed input (point 0) to the last step.
 *
 * @param row           the row of the input batch
 * @param label         the order's label
 * @param target        the class followed
 * @param logits        the target's logit at each point
 * @param probabilities the target's probability at each point (softmax over the classes; the sigmoid of the logit
 *                      for a one-output model)
 */
public record TargetCurve(int row, String label, int target, double[] logits, double[] probabilities) {

    /**
     * The normalised area under a curve, {@code (1 / (L+1)) Σ_{k=0..L} c_k}: the mean of its points. AOPC is the
     * first point minus it, {@code (1 / (L+1)) Σ_k (c_0 − c_k)} (Samek et al. 2017, eq. 12).
     */
    public static double area(double[] curve) {
        double sum = 0;
        for (double value : curve) {
            sum += value;
        }
        return sum / curve.length;
    }

    /** AOPC of a curve: {@code c_0 − area(c)}. */
    public static double aopc(double[] curve) {
        return curve[0] - area(curve);
    }
}
