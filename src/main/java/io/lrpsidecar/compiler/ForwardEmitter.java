package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Re-emits the canonical forward graph in the explainer's operator set: every value keeps its name, Dense becomes
 * Gemm or MatMul + Add, Conv gets explicit pads, MaxPool also returns its {@code Indices} (for winner-takes-all
 * routing), an unmerged BatchNorm becomes a per-channel scale and shift, and ops whose inputs moved between opsets
 * (Squeeze, Unsqueeze, Pad, Dropout) get their current form.
 */
final class ForwardEmitter {
    private final CompileContext context;
    private final Map<String, String> maxPoolIndices;

    ForwardEmitter(CompileContext context, Map<String, String> maxPoolIndices) {
        this.context = context;
        this.maxPoolIndices = maxPoolIndices;
    }

    void emit(Node node) {
        GraphBuilder b = context.builder();
        String x = node.input(0);
        List<String> output = List.of(node.output());
        switch (node.opType()) {
            case "Dense" -> {
                String result = context.linear(node).forward(x, node.input(1), node.input(2), node.name());
                b.opWithOutputs("Identity", node.name(), Attributes.NONE, List.of(result), output);
            }
            case "Conv" -> b.opWithOutputs("Conv", node.name(), context.linear(node).convAttributes(),
                    node.inputs(), output);
            case "MaxPool" -> {
                if (WinnerRouting.tiles(node, context)) {
                    b.opWithOutputs("MaxPool", node.name(), floorModeAttributes(node, false), List.of(x), output);
                } else {
                    String indices = b.fresh(node.name() + "_indices");
                    maxPoolIndices.put(node.name(), indices);
                    b.opWithOutputs("MaxPool", node.name(), floorModeAttributes(node, false), List.of(x),
                            List.of(node.output(), indices));
                }
            }
            case "AveragePool" -> averagePool(node);
            case "BatchNormalization" -> {
                String scaled = b.op("Mul", node.name() + "_scaled", x, b.constant(node.name() + "_scale",
                        batchNormScale(node, context)));
                b.opWithOutputs("Add", node.name(), Attributes.NONE, List.of(scaled, b.constant(node.name()
                        + "_shift", batchNormShift(node, context))), output);
            }
            case "Dropout", "Identity" -> b.opWithOutputs("Identity", node.name(), Attributes.NONE, List.of(x),
                    output);
            case "Squeeze", "Unsqueeze" -> {
                long[] axes = node.input(1).isEmpty() ? node.attributes().getInts("axes").orElse(null)
                        : context.constant(node.input(1)).asLongs();
                List<String> inputs = axes == null ? List.of(x) : List.of(x, b.longs(node.name() + "_axes", axes));
                b.opWithOutputs(node.opType(), node.name(), Attributes.NONE, inputs, output);
            }
            case "Pad" -> b.opWithOutputs("Pad", node.name(), new Attributes(Map.of("mode", "constant")),
                    List.of(x, b.longs(node.name() + "_pads", padsOf(node, context))), output);
            case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "GlobalAveragePool", "Flatten", "Reshape",
                    "Transpose", "Concat", "Add", "Sub", "Mul", "Div" ->
                    b.opWithOutputs(node.opType(), node.name(), node.attributes(), node.inputs(), output);
            default -> throw new ModelLoadException("the compiler cannot emit node " + node.describe());
        }
    }

    private void averagePool(Node node) {
        Pools.AveragePoolInput pool = Pools.averagePoolInput(context.builder(), node, context.shape(node.input(0)),
                node.input(0), node.name());
        context.builder().opWithOutputs("AveragePool", node.name(), pool.attributes(), List.of(pool.input()),
                List.of(node.output()));
    }

    private Attributes floorModeAttributes(Node node, boolean padsAlreadyApplied) {
        return Pools.floorModeAttributes(node, context.shape(node.input(0)), padsAlreadyApplied);
    }

    /** Begin and end pads of every axis of a Pad node. */
    static long[] padsOf(Node node, CompileContext context) {
        int rank = context.shape(node.input(0)).length;
        long[] values = node.input(1).isEmpty() ? node.attributes().getInts("pads").orElseThrow()
                : context.constant(node.input(1)).asLongs();
        long[] axes = node.input(3).isEmpty() ? null : context.constant(node.input(3)).asLongs();
        return ShapeFunctions.pads(node, rank, values, axes);
    }

    /** {@code gamma / sqrt(var + eps)} shaped {@code [1, C, 1, ...]}. */
    static Tensor batchNormScale(Node node, CompileContext context) {
        double epsilon = node.attributes().getFloat("epsilon", 1e-5);
        double[] gamma = context.constant(node.input(1)).asDoubles();
        double[] variance = context.constant(node.input(4)).asDoubles();
        double[] scale = new double[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
        }
        return Tensor.of(channelShape(node, context, gamma.length), scale);
    }

    private static Tensor batchNormShift(Node node, CompileContext context) {
        double[] scale = batchNormScale(node, context).doubles();
        double[] beta = context.constant(node.input(2)).asDoubles();
        double[] mean = context.constant(node.input(3)).asDoubles();
        double[] shift = new double[beta.length];
        for (int c = 0; c < beta.length; c++) {
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return Tensor.of(channelShape(node, context, beta.length), shift);
    }

    private static int[] channelShape(Node node, CompileContext context, int channels) {
        int[] shape = new int[Math.max(2, context.shape(node.input(0)).length)];
        Arrays.fill(shape, 1);
        shape[1] = channels;
        return shape;
    }
}
