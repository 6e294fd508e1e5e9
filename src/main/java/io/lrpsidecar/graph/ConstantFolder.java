package io.lrpsidecar.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Compile-time folding of constant subgraphs: {@code Constant} nodes become initializers, and chains of
 * {@code Shape}, {@code Gather}, {@code Concat}, {@code Unsqueeze}, {@code Squeeze}, {@code Cast}, reshapes and
 * integer arithmetic on constants are evaluated. Shapes are inferred with a sentinel batch size; a folded
 * {@code Reshape} target that carries the sentinel on axis 0 becomes {@code 0} ("copy the batch axis"), so the folded
 * graph stays valid for every batch size. A sentinel anywhere else is refused, never silently baked in.
 */
public final class ConstantFolder {
    /** A batch size no real model axis is expected to have, so that it can be recognised after folding. */
    static final int BATCH_SENTINEL = 104_729;

    private static final Set<String> FOLDABLE = Set.of("Constant", "Shape", "Gather", "Concat", "Unsqueeze",
            "Squeeze", "Cast", "Identity", "Reshape", "Flatten", "Add", "Sub", "Mul", "Div");

    private ConstantFolder() {
    }

    public static Graph fold(Graph graph, Function<Node, ShapeRule> rules) {
        Map<String, Tensor> constants = new LinkedHashMap<>(graph.initializers());
        Map<String, int[]> shapes = new HashMap<>();
        constants.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        for (ValueInfo input : graph.inputs()) {
            try {
                shapes.put(input.name(), ShapeInference.concreteInputShape(input, BATCH_SENTINEL));
            } catch (ModelLoadException unknownDimensions) {
                shapes.remove(input.name());
            }
        }
        List<Node> kept = new ArrayList<>();
        for (Node node : graph.nodes()) {
            Tensor folded = tryFold(node, constants, shapes, rules);
            if (folded != null) {
                constants.put(node.output(), folded);
                shapes.put(node.output(), folded.shape());
                continue;
            }
            kept.add(node);
            List<int[]> inputShapes = node.inputs().stream().map(shapes::get).toList();
            if (!inputShapes.isEmpty() && inputShapes.get(0) != null) {
                try {
                    shapes.put(node.output(), rules.apply(node).outputShapes(node, inputShapes, constants).get(0));
                } catch (RuntimeException unknownShape) {
                    shapes.remove(node.output());
                }
            }
        }
        List<Node> rewritten = kept.stream().map(node -> batchAgnosticReshape(node, constants)).toList();
        return graph.with(rewritten, constants).pruned();
    }

    private static Node batchAgnosticReshape(Node node, Map<String, Tensor> constants) {
        if (!node.opType().equals("Reshape") || !constants.containsKey(node.input(1))) {
            return node;
        }
        Tensor target = constants.get(node.input(1));
        long[] values = target.asLongs();
        boolean changed = false;
        for (int i = 0; i < values.length; i++) {
            if (values[i] == BATCH_SENTINEL) {
                if (i != 0) {
                    throw new ModelLoadException("node " + node.describe() + " reshapes with the batch size on axis "
                            + i + "; only a batch axis kept in place (axis 0) can be folded");
                }
                changed = true;
            }
        }
        if (!changed) {
            return node;
        }
        long[] agnostic = values.clone();
        agnostic[0] = 0;
        String name = Names.unique(node.input(1) + "_batch_agnostic", constants);
        constants.put(name, Tensor.ofLongs(target.shape(), agnostic));
        List<String> inputs = new ArrayList<>(node.inputs());
        inputs.set(1, name);
        Node result = node.withInputs(inputs);
        return result.withAttributes(result.attributes().without("allowzero"));
    }

    private static Tensor tryFold(Node node, Map<String, Tensor> constants, Map<String, int[]> shapes,
            Function<Node, ShapeRule> rules) {
        if (!FOLDABLE.contains(node.opType()) || node.outputs().size() != 1) {
            return null;
        }
        if (node.opType().equals("Constant")) {
            return constantValue(node);
        }
        if (node.opType().equals("Shape")) {
            int[] shape = shapes.get(node.input(0));
            return shape == null ? null : shapeOf(node, shape);
        }
        List<Tensor> inputs = new ArrayList<>();
        for (String input : node.inputs()) {
            if (input.isEmpty()) {
                inputs.add(null);
            } else if (constants.containsKey(input)) {
                inputs.add(constants.get(input));
            } else {
                return null;
            }
        }
        return evaluate(node, inputs, rules);
    }

    private static Tensor constantValue(Node node) {
        Attributes attributes = node.attributes();
        if (attributes.has("value")) {
            return attributes.getTensor("value").orElseThrow();
        }
        if (attributes.has("value_float")) {
            return Tensor.scalar(attributes.getFloat("value_float", 0));
        }
        if (attributes.has("value_floats")) {
            double[] values = attributes.getFloats("value_floats").orElseThrow();
            return Tensor.of(new int[] {values.length}, values);
        }
        if (attributes.has("value_int")) {
            return Tensor.ofLongs(new int[0], new long[] {attributes.getInt("value_int", 0)});
        }
        if (attributes.has("value_ints")) {
            long[] values = attributes.getInts("value_ints").orElseThrow();
            return Tensor.ofLongs(new int[] {values.length}, values);
        }
        throw new ModelLoadException("Constant node " + node.describe() + " has no value attribute this project reads"
                + " (expected value, value_float(s) or value_int(s))");
    }

    private static Tensor shapeOf(Node node, int[] shape) {
        int rank = shape.length;
        int start = (int) node.attributes().getInt("start", 0);
        int end = (int) node.attributes().getInt("end", rank);
        start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        long[] values = new long[Math.max(0, end - start)];
        for (int i = 0; i < values.length; i++) {
            values[i] = shape[start + i];
        }
        return Tensor.ofLongs(new int[] {values.length}, values);
    }

    private static Tensor evaluate(Node node, List<Tensor> inputs, Function<Node, ShapeRule> rules) {
        Tensor first = inputs.get(0);
        return switch (node.opType()) {
            case "Identity" -> first;
            case "Unsqueeze", "Squeeze", "Reshape", "Flatten" -> {
                List<int[]> shapes = inputs.stream().map(t -> t == null ? null : t.shape()).toList();
                Map<String, Tensor> known = new HashMap<>();
                for (int i = 0; i < inputs.size(); i++) {
                    if (inputs.get(i) != null) {
                        known.put(node.input(i), inputs.get(i));
                    }
                }
                yield first.reshape(rules.apply(node).outputShapes(node, shapes, known).get(0));
            }
            case "Gather" -> gather(node, first, inputs.get(1));
            case "Concat" -> concat(node, inputs);
            case "Cast" -> cast(node, first);
            default -> arithmetic(node, first, inputs.get(1));
        };
    }

    private static Tensor gather(Node node, Tensor data, Tensor indices) {
        int axis = Shapes.axis(node.attributes().getInt("axis", 0), data.rank());
        long[] index = indices.asLongs();
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= data.dim(i);
        }
        int inner = data.size() / outer / data.dim(axis);
        int[] shape = new int[data.rank() - 1 + indices.rank()];
        System.arraycopy(data.shape(), 0, shape, 0, axis);
        System.arraycopy(indices.shape(), 0, shape, axis, indices.rank());
        System.arraycopy(data.shape(), axis + 1, shape, axis + indices.rank(), data.rank() - axis - 1);
        double[] source = data.asDoubles();
        double[] out = new double[Shapes.size(shape)];
        int position = 0;
        for (int o = 0; o < outer; o++) {
            for (long raw : index) {
                long k = raw < 0 ? raw + data.dim(axis) : raw;
                System.arraycopy(source, (int) ((o * data.dim(axis) + k) * inner), out, position, inner);
                position += inner;
            }
        }
        return typed(data.type(), shape, out);
    }

    private static Tensor concat(Node node, List<Tensor> inputs) {
        int[] shape = ShapeFunctions.concat(node, inputs.stream().map(Tensor::shape).toList());
        int axis = Shapes.axis(node.attributes().getInt("axis", 0), shape.length);
        if (axis != 0 && shape.length > 1) {
            return null;
        }
        double[] out = new double[Shapes.size(shape)];
        int position = 0;
        for (Tensor input : inputs) {
            double[] values = input.asDoubles();
            System.arraycopy(values, 0, out, position, values.length);
            position += values.length;
        }
        return typed(inputs.get(0).type(), shape, out);
    }

    private static Tensor cast(Node node, Tensor input) {
        ElementType target = ElementType.fromOnnxCode((int) node.attributes().getInt("to", 1));
        return typed(target, input.shape(), input.asDoubles());
    }

    private static Tensor arithmetic(Node node, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        if (!(Arrays.equals(a.shape(), shape) || a.size() == 1) || !(Arrays.equals(b.shape(), shape) || b.size() == 1)) {
            return null;
        }
        double[] left = a.asDoubles();
        double[] right = b.asDoubles();
        boolean integer = !a.type().isFloatingPoint();
        double[] out = new double[Shapes.size(shape)];
        for (int i = 0; i < out.length; i++) {
            double x = left[a.size() == 1 ? 0 : i];
            double y = right[b.size() == 1 ? 0 : i];
            out[i] = switch (node.opType()) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                default -> integer ? (long) x / (long) y : x / y;
            };
        }
        return typed(a.type(), shape, out);
    }

    private static Tensor typed(ElementType type, int[] shape, double[] values) {
        if (type.isFloatingPoint()) {
            return new Tensor(type, shape, values, null);
        }
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = (long) values[i];
        }
        return new Tensor(type, shape, null, longs);
    }
}
