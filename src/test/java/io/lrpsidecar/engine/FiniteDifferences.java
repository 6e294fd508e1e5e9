package io.lrpsidecar.engine;

import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;

/**
 * The gradient of every logit with respect to one input row by central finite differences, computed independently
 * of the engine's backward pass: only {@link ReferenceExplainer#forward} (double precision) is evaluated, at
 * {@code x +- h e_i} and {@code x +- h/2 e_i} for every coordinate {@code i}, in batches.
 *
 * <p>Two error estimates come with each derivative:
 * <ul>
 *   <li>{@code stepMismatch = |D(h) - D(h/2)|}, the change of the central difference when the step is halved. For a
 *       smooth function both are exact up to {@code O(h^2)} and rounding; a kink (ReLU, max-pool switch) within
 *       {@code h} of {@code x_i} changes them by an amount of the size of their error;</li>
 *   <li>{@code sideMismatch = |forward slope - backward slope|} over {@code h}. For a piecewise-linear function
 *       (ReLU networks) it is zero up to rounding unless a kink lies within {@code h} of {@code x_i}, wherever in that
 *       interval it lies (also right at {@code x_i}, which {@code stepMismatch} can miss).</li>
 * </ul>
 * The steps actually taken, {@code (x + h) - x}, are used in the quotients so that no rounding of the step enters.
 */
final class FiniteDifferences {
    /** The step. */
    static final double H = 1e-5;
    private static final int COORDINATES_PER_BATCH = 32;

    /**
     * @param logits       the logits at {@code x}
     * @param gradient     {@code [class][coordinate]}: the central difference with step {@code h}
     * @param stepMismatch {@code [class][coordinate]}: {@code |D(h) - D(h/2)|}
     * @param sideMismatch {@code [class][coordinate]}: {@code |forward slope - backward slope|} with step {@code h}
     */
    record Result(double[] logits, double[][] gradient, double[][] stepMismatch, double[][] sideMismatch) {

        /** The predicted class (first maximum, as {@link Target.Predicted}). */
        int predicted() {
            int best = 0;
            for (int k = 1; k < logits.length; k++) {
                if (logits[k] > logits[best]) {
                    best = k;
                }
            }
            return best;
        }
    }

    private FiniteDifferences() {
    }

    /** Finite differences of the logits of {@code explainer}'s model at {@code row} (a batch of one). */
    static Result at(ReferenceExplainer explainer, String logitsName, Tensor row) {
        if (row.dim(0) != 1) {
            throw new IllegalArgumentException("expected a batch of one row, found " + Arrays.toString(row.shape()));
        }
        double[] x = row.doubles();
        int size = x.length;
        double[] f0 = explainer.forward(row).get(logitsName).doubles();
        int classes = f0.length;
        double[][] gradient = new double[classes][size];
        double[][] stepMismatch = new double[classes][size];
        double[][] sideMismatch = new double[classes][size];
        double[] offsets = {H, -H, H / 2, -H / 2};
        for (int start = 0; start < size; start += COORDINATES_PER_BATCH) {
            int count = Math.min(COORDINATES_PER_BATCH, size - start);
            int[] shape = row.shape().clone();
            shape[0] = count * offsets.length;
            double[] batch = new double[shape[0] * size];
            double[][] steps = new double[count][offsets.length];
            for (int c = 0; c < count; c++) {
                int coordinate = start + c;
                for (int o = 0; o < offsets.length; o++) {
                    int rowIndex = c * offsets.length + o;
                    System.arraycopy(x, 0, batch, rowIndex * size, size);
                    double moved = x[coordinate] + offsets[o];
                    batch[rowIndex * size + coordinate] = moved;
                    steps[c][o] = moved - x[coordinate];
                }
            }
            double[] f = explainer.forward(Tensor.of(shape, batch)).get(logitsName).doubles();
            for (int c = 0; c < count; c++) {
                int coordinate = start + c;
                double[] s = steps[c];
                for (int k = 0; k < classes; k++) {
                    int base = c * offsets.length * classes + k;
                    double plus = f[base];
                    double minus = f[base + classes];
                    double halfPlus = f[base + 2 * classes];
                    double halfMinus = f[base + 3 * classes];
                    double central = (plus - minus) / (s[0] - s[1]);
                    double centralHalf = (halfPlus - halfMinus) / (s[2] - s[3]);
                    double forwardSlope = (plus - f0[k]) / s[0];
                    double backwardSlope = (f0[k] - minus) / -s[1];
                    gradient[k][coordinate] = central;
                    stepMismatch[k][coordinate] = Math.abs(central - centralHalf);
                    sideMismatch[k][coordinate] = Math.abs(forwardSlope - backwardSlope);
                }
            }
        }
        return new Result(f0, gradient, stepMismatch, sideMismatch);
    }
}
