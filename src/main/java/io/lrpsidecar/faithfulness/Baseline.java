package io.lrpsidecar.faithfulness;

import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;

/** What a perturbed region is replaced with. */
public sealed interface Baseline {

    /** The baseline values of one row (C order, the row's shape), given the row itself. */
    double[] forRow(double[] row, int[] rowShape);

    /** Short description for reports, such as {@code zero}, {@code mean}, {@code blur:2.0} or {@code pad:0}. */
    String describe();

    /** Zeros: black pixels, standardised features at their training mean, token id 0. */
    record Zero() implements Baseline {
        @Override
        public double[] forRow(double[] row, int[] rowShape) {
            return new double[row.length];
        }

        @Override
        public String describe() {
            return "zero";
        }
    }

    /**
     * The same values for every row, such as the per-element mean of a data set or a file's row.
     *
     * @param name   how the values were obtained ({@code mean}, {@code @file.npy})
     * @param values one row, C order
     */
    record Fixed(String name, double[] values) implements Baseline {
        /**
         * The per-element mean of {@code rows} ({@code [rows, ...]}), summed row by row in double precision and then
         * rounded to float32, the precision the model runs in.
         */
        public static Fixed meanOf(Tensor rows) {
            int count = rows.dim(0);
            if (count == 0) {
                throw new IllegalArgumentException("the mean baseline needs at least one input row, found none");
            }
            int size = rows.size() / count;
            double[] values = rows.asDoubles();
            double[] mean = new double[size];
            for (int row = 0; row < count; row++) {
                for (int i = 0; i < size; i++) {
                    mean[i] += values[row * size + i];
                }
            }
            for (int i = 0; i < size; i++) {
                mean[i] = (float) (mean[i] / count);
            }
            return new Fixed("mean", mean);
        }

        @Override
        public double[] forRow(double[] row, int[] rowShape) {
            if (values.length != row.length) {
                throw new IllegalArgumentException("the " + name + " baseline holds " + values.length
                        + " values, expected one per element of a row " + Arrays.toString(rowShape) + " ("
                        + row.length + ")");
            }
            return values;
        }

        @Override
        public String describe() {
            return name;
        }
    }

    /**
     * The row blurred by a Gaussian of standard deviation {@code sigma} elements over its last two axes (each leading
     * index, such as a channel, on its own): weights {@code exp(−d²/2σ²)} for {@code |d| ≤ ⌈3σ⌉}, normalised to sum
     * 1, applied along the rows and then the columns, with edges repeated. Region perturbation then removes detail but
     * keeps the colours (Fong and Vedaldi 2017, "Interpretable explanations of black boxes by meaningful
     * perturbation").
     */
    record Blur(double sigma) implements Baseline {
        public Blur {
            if (!(sigma > 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("expected a blur sigma above 0, found " + sigma);
            }
        }

        @Override
        public double[] forRow(double[] row, int[] rowShape) {
            if (rowShape.length < 2) {
                throw new IllegalArgumentException("the blur baseline needs image rows (rank 2 or more), found "
                        + Arrays.toString(rowShape));
            }
            int height = rowShape[rowShape.length - 2];
            int width = rowShape[rowShape.length - 1];
            double[] weights = weights();
            int radius = weights.length / 2;
            double[] vertical = new double[row.length];
            double[] result = new double[row.length];
            for (int plane = 0; plane < row.length; plane += height * width) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double sum = 0;
                        for (int d = -radius; d <= radius; d++) {
                            sum += weights[d + radius] * row[plane + clamp(y + d, height) * width + x];
                        }
                        vertical[plane + y * width + x] = sum;
                    }
                }
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double sum = 0;
                        for (int d = -radius; d <= radius; d++) {
                            sum += weights[d + radius] * vertical[plane + y * width + clamp(x + d, width)];
                        }
                        result[plane + y * width + x] = (float) sum;
                    }
                }
            }
            return result;
        }

        private double[] weights() {
            int radius = (int) Math.ceil(3 * sigma);
            double[] weights = new double[2 * radius + 1];
            double total = 0;
            for (int d = -radius; d <= radius; d++) {
                weights[d + radius] = Math.exp(-(double) d * d / (2 * sigma * sigma));
                total += weights[d + radius];
            }
            for (int i = 0; i < weights.length; i++) {
                weights[i] /= total;
            }
            return weights;
        }

        private static int clamp(int index, int length) {
            return Math.max(0, Math.min(length - 1, index));
        }

        @Override
        public String describe() {
            return "blur:" + sigma;
        }
    }

    /** A padding token id in every perturbed position of a token model. */
    record Pad(long id) implements Baseline {
        @Override
        public double[] forRow(double[] row, int[] rowShape) {
            double[] values = new double[row.length];
            Arrays.fill(values, id);
            return values;
        }

        @Override
        public String describe() {
            return "pad:" + id;
        }
    }
}
