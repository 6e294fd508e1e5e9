package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Emits the vector-Jacobian product {@code J_f^T g} of each supported operator as ONNX nodes: what zennit applies
 * to layers without a rule, what the norm rule applies to {@code R / stab(f(x))}, and what the gradient
 * references apply everywhere. MaxPool routes through its {@code Indices} output and ScatterElements (winner takes
 * all, overlapping windows add up); AveragePool spreads through a depthwise ConvTranspose of ones after dividing by
 * each window's divisor; reshape-like ops reshape back; Concat splits; Pad slices.
 */
final class GradientEmitter {
    private final CompileContext context;
    private final Map<String, String> maxPoolIndices;

    GradientEmitter(CompileContext context, Map<String, String> maxPoolIndices) {
        this.context = context;
        this.maxPoolIndices = maxPoolIndices;
    }

    /** The gradient for each input (aligned with the node's inputs; {@code null} for constants). */
    String[] vjp(Node node, String g) {
        GraphBuilder b = context.builder();
        String hint = node.name() + "_vjp";
        String x = node.input(0);
        String[] result = new String[node.inputs().size()];
        switch (node.opType()) {
            case "Conv", "Dense" -> result[0] = context.linear(node).transposed(node.input(1), g, hint);
            case "Relu" -> result[0] = b.op("Where", hint, b.op("Greater", hint + "_on", x, b.scalar("zero", 0)),
                    g, b.scalar("zero", 0));
            case "LeakyRelu" -> result[0] = b.op("Where", hint, b.op("Greater", hint + "_on", x, b.scalar("zero", 0)),
                    g, b.op("Mul", hint + "_leak", g, b.scalar("alpha",
                            node.attributes().getFloat("alpha", 0.01))));
            case "Sigmoid" -> result[0] = b.op("Mul", hint, g, b.op("Mul", hint + "_d", node.output(),
                    b.op("Sub", hint + "_1my", b.scalar("one", 1), node.output())));
            case "Tanh" -> result[0] = b.op("Mul", hint, g, b.op("Sub", hint + "_d", b.scalar("one", 1),
                    b.op("Mul", hint + "_y2", node.output(), node.output())));
            case "Identity", "Dropout" -> result[0] = g;
            case "BatchNormalization" -> result[0] = b.op("Mul", hint, g, b.constant(hint + "_scale",
                    ForwardEmitter.batchNormScale(node, context)));
            case "Flatten", "Reshape", "Squeeze", "Unsqueeze" -> result[0] = b.op("Reshape", hint, g,
                    b.op("Shape", hint + "_shape", x));
            case "Transpose" -> result[0] = transpose(node, g, hint);
            case "Concat" -> concat(node, g, hint, result);
            case "Pad" -> result[0] = crop(node, g, hint);
            case "MaxPool" -> result[0] = WinnerRouting.tiles(node, context)
                    ? WinnerRouting.route(node, g, context, hint) : maxPool(node, g, hint);
            case "AveragePool" -> result[0] = averagePool(node, g, hint);
            case "GlobalAveragePool" -> result[0] = b.op("Expand", hint, b.op("Div", hint + "_mean", g,
                    b.scalar("area", planeSize(x))), b.op("Shape", hint + "_shape", x));
            case "Add", "Sub", "Mul", "Div" -> arithmetic(node, g, hint, result);
            default -> throw new ModelLoadException("the compiler has no gradient for node " + node.describe());
        }
        return result;
    }

    private int planeSize(String value) {
        int[] shape = context.shape(value);
        return Shapes.size(shape) / (shape[0] * shape[1]);
    }

    private String transpose(Node node, String g, String hint) {
        int[] permutation = ShapeFunctions.permutation(node, context.shape(node.input(0)).length);
        long[] inverse = new long[permutation.length];
        for (int i = 0; i < permutation.length; i++) {
            inverse[permutation[i]] = i;
        }
        return context.builder().op("Transpose", hint, new Attributes(Map.of("perm", inverse)), g);
    }

    private void concat(Node node, String g, String hint, String[] result) {
        int rank = context.shape(node.output()).length;
        long axis = Shapes.axis(node.attributes().getInt("axis", 0), rank);
        long[] sizes = node.inputs().stream().mapToLong(input -> context.shape(input)[(int) axis]).toArray();
        List<String> parts = node.inputs().stream().map(input -> context.builder().fresh(hint + "_part")).toList();
        context.builder().opWithOutputs("Split", hint, new Attributes(Map.of("axis", axis)),
                List.of(g, context.builder().longs(hint + "_sizes", sizes)), parts);
        for (int i = 0; i < parts.size(); i++) {
            if (!context.graph().isConstant(node.input(i))) {
                result[i] = parts.get(i);
            }
        }
    }

    private String crop(Node node, String g, String hint) {
        int[] inputShape = context.shape(node.input(0));
        long[] pads = ForwardEmitter.padsOf(node, context);
        int rank = inputShape.length;
        long[] starts = new long[rank];
        long[] ends = new long[rank];
        long[] axes = new long[rank];
        for (int axis = 0; axis < rank; axis++) {
            if (pads[axis] < 0 || pads[axis + rank] < 0) {
                throw new ModelLoadException("node " + node.describe() + ": the compiler supports only non-negative"
                        + " pads, found " + Arrays.toString(pads));
            }
            axes[axis] = axis;
            starts[axis] = pads[axis];
            ends[axis] = axis == 0 ? Long.MAX_VALUE : pads[axis] + inputShape[axis];
        }
        GraphBuilder b = context.builder();
        return b.op("Slice", hint, g, b.longs(hint + "_starts", starts), b.longs(hint + "_ends", ends),
                b.longs(hint + "_axes", axes));
    }

    private String maxPool(Node node, String g, String hint) {
        return Pools.scatterToWinners(context.builder(), node.input(0), maxPoolIndices.get(node.name()), g, hint);
    }

    private String averagePool(Node node, String g, String hint) {
        return Pools.averagePoolTransposed(context.builder(), node, context.shape(node.input(0)), g, hint);
    }

    private void arithmetic(Node node, String g, String hint, String[] result) {
        GraphBuilder b = context.builder();
        for (int i = 0; i < 2; i++) {
            if (context.graph().isConstant(node.input(i))) {
                continue;
            }
            String other = node.input(1 - i);
            String local = switch (node.opType()) {
                case "Add" -> g;
                case "Sub" -> i == 0 ? g : b.op("Neg", hint + "_neg", g);
                case "Mul" -> b.op("Mul", hint + "_mul", g, other);
                default -> b.op("Div", hint + "_div", g, other);
            };
            result[i] = unbroadcast(local, node.output(), node.input(i), hint);
        }
    }

    /** Sums a gradient of the output's shape back to an input's (broadcast) shape. */
    String unbroadcast(String gradient, String output, String input, String hint) {
        int[] outShape = context.shape(output);
        int[] inShape = context.shape(input);
        if (Arrays.equals(outShape, inShape)) {
            return gradient;
        }
        int offset = outShape.length - inShape.length;
        long[] axes = java.util.stream.IntStream.range(0, outShape.length)
                .filter(axis -> axis < offset || (inShape[axis - offset] == 1 && outShape[axis] != 1))
                .asLongStream().toArray();
        GraphBuilder b = context.builder();
        String reduced = b.op("ReduceSum", hint + "_sum", new Attributes(Map.of("keepdims", 1L)), gradient,
                b.longs(hint + "_axes", axes));
        long[] target = Arrays.stream(inShape).asLongStream().toArray();
        if (offset == 0 || inShape.length == 0) {
            return inShape.length == 0 ? b.op("Reshape", hint + "_scalar", reduced, b.constant(hint + "_s",
                    Tensor.ofLongs(new int[] {0}, new long[0]))) : reduced;
        }
        return b.op("Reshape", hint + "_back", reduced, b.longs(hint + "_shape", target));
    }
}
