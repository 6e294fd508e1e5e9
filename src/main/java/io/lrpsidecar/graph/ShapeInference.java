package io.lrpsidecar.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers the shape of every value of a graph for a given batch size, for the operators the engine supports (and the
 * shape-computing ops that constant folding removes). Fails with the node and the shapes involved when an op's
 * inputs do not fit together.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    /** Shapes of every value (inputs, initializers and node outputs) with the first input axis set to {@code batch}. */
    public static Map<String, int[]> infer(Graph graph, int batch) {
        Map<String, int[]> shapes = new HashMap<>();
        graph.initializers().forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        for (ValueInfo input : graph.inputs()) {
            shapes.put(input.name(), concreteInputShape(input, batch));
        }
        for (Node node : graph.nodes()) {
            List<int[]> inputShapes = new ArrayList<>();
            for (String input : node.inputs()) {
                inputShapes.add(input.isEmpty() ? null : shapes.get(input));
            }
            int[] output = outputShape(node, inputShapes, graph.initializers());
            shapes.put(node.output(), output);
        }
        return shapes;
    }

    /**
     * Shapes of the values that can be inferred for the given batch size: a node without a shape rule, or reading a
     * value whose shape is unknown, leaves its outputs out of the map instead of failing, and so does an input with
     * an unknown size on an axis other than the first. For passes that only need some shapes, such as the pattern
     * rewriter, which runs before every node has a rule.
     */
    public static Map<String, int[]> inferKnown(Graph graph, int batch) {
        Map<String, int[]> shapes = new HashMap<>();
        graph.initializers().forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        for (ValueInfo input : graph.inputs()) {
            try {
                shapes.put(input.name(), concreteInputShape(input, batch));
            } catch (ModelLoadException unknownDimension) {
                shapes.remove(input.name());
            }
        }
        for (Node node : graph.nodes()) {
            List<int[]> inputShapes = new ArrayList<>();
            for (String input : node.inputs()) {
                inputShapes.add(input.isEmpty() ? null : shapes.get(input));
            }
            if (inputShapes.isEmpty() || inputShapes.get(0) == null) {
                continue;
            }
            try {
                shapes.put(node.output(), outputShape(node, inputShapes, graph.initializers()));
            } catch (RuntimeException noRuleOrUnknownInput) {
                shapes.remove(node.output());
            }
        }
        return shapes;
    }

    /** The declared input shape with axis 0 set to {@code batch}; other axes must be fixed. */
    public static int[] concreteInputShape(ValueInfo input, int batch) {
        int[] shape = new int[input.rank()];
        for (int axis = 0; axis < shape.length; axis++) {
            int dim = input.shape().get(axis);
            if (axis == 0) {
                shape[axis] = batch;
            } else if (dim < 0) {
                throw new ModelLoadException("input '" + input.name() + "' has an unknown size on axis " + axis
                        + " (declared " + input.shape() + "); only the batch axis may be dynamic");
            } else {
                shape[axis] = dim;
            }
        }
        return shape;
    }

    static int[] outputShape(Node node, List<int[]> in, Map<String, Tensor> constants) {
        int[] first = in.isEmpty() ? null : in.get(0);
        return switch (node.opType()) {
            case "Dense" -> withLast(first, in.get(1)[0]);
            case "Gemm" -> gemm(node, in);
            case "MatMul" -> matMul(node, first, in.get(1));
            case "Conv" -> WindowGeometry.of(node, first,
                    Arrays.stream(in.get(1), 2, in.get(1).length).asLongStream().toArray())
                    .outputShape(first, in.get(1)[0]);
            case "MaxPool", "AveragePool" -> WindowGeometry.of(node, first,
                    node.attributes().getInts("kernel_shape").orElseThrow(() -> new ModelLoadException(
                            "node " + node.describe() + " has no kernel_shape")))
                    .outputShape(first, first[1]);
            case "GlobalAveragePool" -> {
                int[] shape = first.clone();
                Arrays.fill(shape, 2, shape.length, 1);
                yield shape;
            }
            case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Identity", "Dropout", "BatchNormalization", "Softmax",
                    "LogSoftmax", "LayerNormalization", "Gelu", "Silu" -> first.clone();
            case "Add", "Sub", "Mul", "Div" -> Shapes.broadcast(first, in.get(1));
            case "Flatten" -> ShapeFunctions.flatten(node, first);
            case "Reshape" -> ShapeFunctions.reshape(node, first, constantInput(node, 1, constants).asLongs());
            case "Squeeze" -> ShapeFunctions.squeeze(node, first, axes(node, constants));
            case "Unsqueeze" -> ShapeFunctions.unsqueeze(first, axes(node, constants));
            case "Transpose" -> ShapeFunctions.transpose(first, ShapeFunctions.permutation(node, first.length));
            case "Concat" -> ShapeFunctions.concat(node, in);
            case "Pad" -> ShapeFunctions.pad(first, ShapeFunctions.pads(node, first.length,
                    node.input(1).isEmpty() ? node.attributes().getInts("pads").orElseThrow()
                            : constantInput(node, 1, constants).asLongs(),
                    node.input(3).isEmpty() ? null : constantInput(node, 3, constants).asLongs()));
            default -> throw new ModelLoadException("no shape rule for node " + node.describe());
        };
    }

    private static long[] axes(Node node, Map<String, Tensor> constants) {
        if (!node.input(1).isEmpty()) {
            return constantInput(node, 1, constants).asLongs();
        }
        return node.attributes().getInts("axes").orElse(null);
    }

    private static Tensor constantInput(Node node, int index, Map<String, Tensor> constants) {
        Tensor constant = constants.get(node.input(index));
        if (constant != null) {
            return constant;
        }
        throw new ModelLoadException("node "
                + node.describe() + " needs a constant input " + index + " ('" + node.input(index)
                + "'), found a value computed at run time");
    }

    private static int[] withLast(int[] shape, int last) {
        int[] result = shape.clone();
        result[result.length - 1] = last;
        return result;
    }

    private static int[] gemm(Node node, List<int[]> in) {
        int[] a = in.get(0);
        int[] b = in.get(1);
        int rows = node.attributes().getInt("transA", 0) != 0 ? a[1] : a[0];
        int cols = node.attributes().getInt("transB", 0) != 0 ? b[0] : b[1];
        return new int[] {rows, cols};
    }

    private static int[] matMul(Node node, int[] a, int[] b) {
        if (b.length != 2 || a[a.length - 1] != b[0]) {
            throw new ModelLoadException("node " + node.describe() + ": cannot multiply " + Arrays.toString(a)
                    + " by " + Arrays.toString(b) + " (expected a 2-D weight whose first axis matches)");
        }
        return withLast(a, b[1]);
    }
}
