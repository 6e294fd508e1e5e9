package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;

/**
 * The definitions of the fused ops in double precision, written from their formulas (test-only): applied to a
 * module's recorded input, a fused node must give what PyTorch computed with the decomposition.
 */
final class FusedOpFormulas {
    private static final int ERF_STEPS = 4000;

    private FusedOpFormulas() {
    }

    /** The fused node applied to {@code x}, its parameters taken from the graph's initializers. */
    static Tensor apply(Graph graph, Node node, Tensor x) {
        double[] in = x.asDoubles();
        double[] out = new double[in.length];
        switch (node.opType()) {
            case "LayerNormalization" -> layerNorm(graph, node, x, out);
            case "Gelu" -> {
                boolean tanh = node.attributes().getString("approximate", "none").equals("tanh");
                for (int i = 0; i < in.length; i++) {
                    double v = in[i];
                    double inner = tanh ? Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))
                            : erf(v / Math.sqrt(2));
                    out[i] = 0.5 * v * (1 + inner);
                }
            }
            case "Silu" -> {
                for (int i = 0; i < in.length; i++) {
                    out[i] = in[i] / (1 + Math.exp(-in[i]));
                }
            }
            default -> throw new IllegalArgumentException("no formula for " + node.describe());
        }
        return Tensor.of(x.shape(), out);
    }

    /** {@code (x − mean) / sqrt(var + ε) · scale + bias} over the trailing axes from {@code axis}. */
    private static void layerNorm(Graph graph, Node node, Tensor x, double[] out) {
        int axis = (int) node.attributes().getInt("axis", -1);
        int first = axis < 0 ? axis + x.rank() : axis;
        int inner = 1;
        for (int d = first; d < x.rank(); d++) {
            inner *= x.dim(d);
        }
        double epsilon = node.attributes().getFloat("epsilon", 1e-5);
        double[] scale = graph.initializers().get(node.input(1)).asDoubles();
        double[] bias = graph.initializers().get(node.input(2)).asDoubles();
        double[] in = x.asDoubles();
        for (int start = 0; start < in.length; start += inner) {
            double mean = 0;
            for (int j = 0; j < inner; j++) {
                mean += in[start + j] / inner;
            }
            double variance = 0;
            for (int j = 0; j < inner; j++) {
                variance += (in[start + j] - mean) * (in[start + j] - mean) / inner;
            }
            double std = Math.sqrt(variance + epsilon);
            for (int j = 0; j < inner; j++) {
                out[start + j] = (in[start + j] - mean) / std * scale[j % scale.length] + bias[j % bias.length];
            }
        }
    }

    /** erf by Simpson's rule on {@code 2/√π ∫ exp(−t²)}: error far below float32 resolution for |v| &lt; 10. */
    static double erf(double v) {
        double limit = Math.min(Math.abs(v), 10);
        double h = limit / ERF_STEPS;
        double sum = 1 + Math.exp(-limit * limit);
        for (int k = 1; k < ERF_STEPS; k++) {
            double t = k * h;
            sum += (k % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return Math.signum(v) * 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }
}
