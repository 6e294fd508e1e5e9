package io.lrpsidecar.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Infers the shape of every value of a graph for a given batch size, with each operator's {@link ShapeRule}. Fails with the node and the shapes involved when an op's
 * inputs do not fit together.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    /** Shapes of every value (inputs, initializers and node outputs) with the first input axis set to {@code batch}. */
    public static Map<String, int[]> infer(Graph graph, int batch, Function<Node, ShapeRule> rules) {
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
            List<int[]> outputs = rules.apply(node).outputShapes(node, inputShapes, graph.initializers());
            for (int i = 0; i < outputs.size() && i < node.outputs().size(); i++) {
                if (!node.outputs().get(i).isEmpty()) {
                    shapes.put(node.outputs().get(i), outputs.get(i));
                }
            }
        }
        return shapes;
    }

    /**
     * Shapes of the values that can be inferred for the given batch size: a node without a shape rule, or reading a
     * value whose shape is unknown, leaves its outputs out of the map instead of failing, and so does an input with
     * an unknown size on an axis other than the first. For passes that only need some shapes, such as the pattern
     * rewriter, which runs before every node has a rule.
     */
    public static Map<String, int[]> inferKnown(Graph graph, int batch, Function<Node, ShapeRule> rules) {
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
                shapes.put(node.output(), rules.apply(node).outputShapes(node, inputShapes, graph.initializers())
                        .get(0));
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

    /** A constant input of a node, or a refusal naming it when it is computed at run time. */
    public static Tensor constantInput(Node node, int index, Map<String, Tensor> constants) {
        Tensor constant = index < node.inputs().size() ? constants.get(node.input(index)) : null;
        if (constant != null) {
            return constant;
        }
        throw new ModelLoadException("node " + node.describe() + " needs a constant input " + index + " ('"
                + (index < node.inputs().size() ? node.input(index) : "") + "'), found a value computed at run time");
    }
}
