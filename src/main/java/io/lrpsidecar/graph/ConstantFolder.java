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
 * {@code Shape}, {@code Gather}, {@code Concat}, {@code Unsqueeze}, {@code Squeeze}, {@code Cast}, reshapes,
 * {@code ConstantOfShape}, {@code Equal}, {@code Where}, {@code Expand}, {@code Slice} and integer arithmetic on
 * constants are evaluated. Shapes are inferred with a sentinel batch size, twice with two different sentinels: a
 * folded value that differs between the two depends on the batch size. Such a value may only be a {@code Reshape}
 * target, where the entry that follows the batch becomes {@code 0} ("copy the batch axis", when it is the batch itself
 * on axis 0) or {@code -1} (when it is a multiple of the batch, such as {@code batch * heads}), or the shape of an
 * {@code Expand}, which becomes a {@code BatchExpand} of {@link Node#LRP_DOMAIN} that reads the batch size from the
 * model input at run time. Anything else is refused, never silently baked in.
 */
public final class ConstantFolder {
    /** A batch size no real model axis is expected to have, so that it can be recognised after folding. */
    static final int BATCH_SENTINEL = 104_729;
    /** A second such batch size: what changes between the two foldings depends on the batch size. */
    static final int SECOND_BATCH_SENTINEL = 130_363;

    private static final Set<String> FOLDABLE = Set.of("Constant", "Shape", "Gather", "Concat", "Unsqueeze",
            "Squeeze", "Cast", "Identity", "Reshape", "Flatten", "Add", "Sub", "Mul", "Div", "ConstantOfShape",
            "Equal", "Where", "Expand", "Slice");

    private ConstantFolder() {
    }

    /** What one folding with one sentinel batch size keeps and computes. */
    private record Folding(List<Node> kept, Map<String, Tensor> constants) {
    }

    public static Graph fold(Graph graph, Function<Node, ShapeRule> rules) {
        Folding first = fold(graph, rules, BATCH_SENTINEL);
        boolean readsShapes = graph.nodes().stream().anyMatch(node -> node.opType().equals("Shape"));
        Map<String, Tensor> second = readsShapes ? fold(graph, rules, SECOND_BATCH_SENTINEL).constants() : null;
        Map<String, Tensor> constants = first.constants();
        List<Node> rewritten = first.kept().stream()
                .map(node -> second == null ? node : batchAgnostic(node, graph, constants, second))
                .toList();
        return graph.with(rewritten, constants).pruned();
    }

    private static Folding fold(Graph graph, Function<Node, ShapeRule> rules, int batch) {
        Map<String, Tensor> constants = new LinkedHashMap<>(graph.initializers());
        Map<String, int[]> shapes = new HashMap<>();
        constants.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        for (ValueInfo input : graph.inputs()) {
            try {
                shapes.put(input.name(), ShapeInference.concreteInputShape(input, batch));
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
        return new Folding(kept, constants);
    }

    /**
     * A kept node whose folded inputs depend on the batch size, rewritten to hold for every batch size, or a refusal.
     */
    private static Node batchAgnostic(Node node, Graph graph, Map<String, Tensor> constants,
            Map<String, Tensor> second) {
        Node result = node;
        for (int i = 0; i < node.inputs().size(); i++) {
            String input = node.input(i);
            if (input.isEmpty() || graph.initializers().containsKey(input) || !constants.containsKey(input)
                    || constants.get(input).equals(second.get(input))) {
                continue;
            }
            Tensor atFirst = constants.get(input);
            Tensor atSecond = second.get(input);
            if (atSecond == null || atFirst.rank() != 1 || atFirst.size() != atSecond.size()) {
                throw dependsOnBatch(node, input, atFirst);
            }
            if (node.opType().equals("Reshape") && i == 1) {
                result = batchAgnosticReshape(result, constants, atFirst.asLongs(), atSecond.asLongs());
            } else if (node.opType().equals("Expand") && i == 1) {
                result = batchExpand(result, graph, constants, atFirst.asLongs(), atSecond.asLongs());
            } else {
                throw dependsOnBatch(node, input, atFirst);
            }
        }
        return result;
    }

    private static ModelLoadException dependsOnBatch(Node node, String input, Tensor folded) {
        return new ModelLoadException("node " + node.describe() + " reads '" + input + "', which folds to "
                + Arrays.toString(folded.asDoubles()) + " at batch size " + BATCH_SENTINEL + " and to another value at another batch size; only"
                + " a Reshape target or an Expand shape may follow the batch size");
    }

    /** The entries of a folded shape that differ between the two sentinel batch sizes. */
    private static List<Integer> batchEntries(long[] atFirst, long[] atSecond) {
        List<Integer> entries = new ArrayList<>();
        for (int i = 0; i < atFirst.length; i++) {
            if (atFirst[i] != atSecond[i]) {
                entries.add(i);
            }
        }
        return entries;
    }

    private static Node batchAgnosticReshape(Node node, Map<String, Tensor> constants, long[] atFirst,
            long[] atSecond) {
        List<Integer> entries = batchEntries(atFirst, atSecond);
        long[] agnostic = atFirst.clone();
        int entry = entries.get(0);
        boolean multiple = atFirst[entry] % BATCH_SENTINEL == 0 && atSecond[entry] % SECOND_BATCH_SENTINEL == 0
                && atFirst[entry] / BATCH_SENTINEL == atSecond[entry] / SECOND_BATCH_SENTINEL;
        boolean inferred = Arrays.stream(atFirst).anyMatch(value -> value == -1);
        if (entries.size() != 1 || !multiple || (inferred && !(entry == 0 && atFirst[0] == BATCH_SENTINEL))) {
            throw new ModelLoadException("node " + node.describe() + " reshapes to " + Arrays.toString(atFirst)
                    + " at batch size " + BATCH_SENTINEL + " and to " + Arrays.toString(atSecond) + " at batch size "
                    + SECOND_BATCH_SENTINEL + "; expected one entry that is a multiple of the batch size (it becomes"
                    + " -1) and no other -1, or the batch size itself on axis 0");
        }
        agnostic[entry] = entry == 0 && atFirst[0] == BATCH_SENTINEL ? 0 : -1;
        String name = Names.unique(node.input(1) + "_batch_agnostic", constants);
        constants.put(name, Tensor.ofLongs(new int[] {agnostic.length}, agnostic));
        List<String> inputs = new ArrayList<>(node.inputs());
        inputs.set(1, name);
        Node result = node.withInputs(inputs);
        return result.withAttributes(result.attributes().without("allowzero"));
    }

    private static Node batchExpand(Node node, Graph graph, Map<String, Tensor> constants, long[] atFirst,
            long[] atSecond) {
        List<Integer> entries = batchEntries(atFirst, atSecond);
        if (entries.size() != 1 || atFirst[entries.get(0)] != BATCH_SENTINEL || graph.inputs().isEmpty()) {
            throw new ModelLoadException("node " + node.describe() + " expands to " + Arrays.toString(atFirst)
                    + " at batch size " + BATCH_SENTINEL + " and to " + Arrays.toString(atSecond)
                    + " at batch size " + SECOND_BATCH_SENTINEL + "; expected the batch size itself on one axis");
        }
        int axis = entries.get(0);
        long[] withoutBatch = atFirst.clone();
        withoutBatch[axis] = 1;
        String name = Names.unique(node.input(1) + "_without_batch", constants);
        constants.put(name, Tensor.ofLongs(new int[] {withoutBatch.length}, withoutBatch));
        return new Node(node.name(), "BatchExpand", Node.LRP_DOMAIN,
                List.of(node.input(0), name, graph.inputs().get(0).name()), node.outputs(),
                new Attributes(Map.of("batch_axis", (long) axis)));
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
            case "ConstantOfShape" -> constantOfShape(node, first);
            case "Equal" -> broadcast(ElementType.BOOL, List.of(first, inputs.get(1)),
                    values -> values[0] == values[1] ? 1 : 0);
            case "Where" -> broadcast(inputs.get(1).type(), inputs,
                    values -> values[0] != 0 ? values[1] : values[2]);
            case "Expand" -> expand(first, inputs.get(1));
            case "Slice" -> slice(node, inputs);
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

    /** Folded values stay small: shape arithmetic, never activations broadcast to a sentinel batch size. */
    private static final long FOLDED_SIZE_LIMIT = 1 << 16;

    private static Tensor constantOfShape(Node node, Tensor shapeValue) {
        long[] dims = shapeValue.asLongs();
        int[] shape = Arrays.stream(dims).mapToInt(Math::toIntExact).toArray();
        if (Shapes.elementCount(shape) > FOLDED_SIZE_LIMIT) {
            return null;
        }
        Tensor fill = node.attributes().getTensor("value").orElse(Tensor.scalar(0));
        double[] values = new double[Shapes.size(shape)];
        Arrays.fill(values, fill.asDoubles()[0]);
        return typed(fill.type(), shape, values);
    }

    private static Tensor expand(Tensor data, Tensor target) {
        int[] shape = Shapes.broadcast(data.shape(),
                Arrays.stream(target.asLongs()).mapToInt(Math::toIntExact).toArray());
        if (Shapes.elementCount(shape) > FOLDED_SIZE_LIMIT) {
            return null;
        }
        return broadcast(data.type(), List.of(data, Tensor.zeros(shape)), values -> values[0]);
    }

    /** An elementwise function of broadcast operands, or {@code null} when the result would not stay small. */
    private static Tensor broadcast(ElementType type, List<Tensor> operands,
            java.util.function.ToDoubleFunction<double[]> function) {
        int[] shape = new int[0];
        for (Tensor operand : operands) {
            shape = Shapes.broadcast(shape, operand.shape());
        }
        if (Shapes.elementCount(shape) > FOLDED_SIZE_LIMIT) {
            return null;
        }
        int[] strides = Shapes.strides(shape);
        double[][] sources = operands.stream().map(Tensor::asDoubles).toArray(double[][]::new);
        double[] out = new double[Shapes.size(shape)];
        double[] values = new double[operands.size()];
        for (int flat = 0; flat < out.length; flat++) {
            for (int k = 0; k < operands.size(); k++) {
                values[k] = sources[k][broadcastSource(operands.get(k).shape(), shape, strides, flat)];
            }
            out[flat] = function.applyAsDouble(values);
        }
        return typed(type, shape, out);
    }

    /** The flat index in an operand of shape {@code source} read by flat index {@code flat} of the broadcast. */
    private static int broadcastSource(int[] source, int[] shape, int[] strides, int flat) {
        int index = 0;
        int offset = shape.length - source.length;
        int sourceStride = 1;
        for (int axis = shape.length - 1; axis >= offset; axis--) {
            int coordinate = flat / strides[axis] % shape[axis];
            int dim = source[axis - offset];
            index += (dim == 1 ? 0 : coordinate) * sourceStride;
            sourceStride *= dim;
        }
        return index;
    }

    /** ONNX Slice (opset 10 and later) of a small constant, along any axes with any steps. */
    private static Tensor slice(Node node, List<Tensor> inputs) {
        Tensor data = inputs.get(0);
        if (inputs.size() < 3) {
            return null;
        }
        long[] starts = inputs.get(1).asLongs();
        long[] ends = inputs.get(2).asLongs();
        long[] axes = inputs.size() > 3 && inputs.get(3) != null ? inputs.get(3).asLongs() : null;
        long[] steps = inputs.size() > 4 && inputs.get(4) != null ? inputs.get(4).asLongs() : null;
        int[][] selected = new int[data.rank()][];
        for (int i = 0; i < starts.length; i++) {
            int axis = Shapes.axis(axes == null ? i : axes[i], data.rank());
            selected[axis] = ShapeFunctions.sliceIndices(data.dim(axis), starts[i], ends[i],
                    steps == null ? 1 : steps[i]);
        }
        int[] shape = data.shape().clone();
        for (int axis = 0; axis < shape.length; axis++) {
            if (selected[axis] != null) {
                shape[axis] = selected[axis].length;
            }
        }
        int[] sourceStrides = Shapes.strides(data.shape());
        int[] strides = Shapes.strides(shape);
        double[] source = data.asDoubles();
        double[] out = new double[Shapes.size(shape)];
        for (int flat = 0; flat < out.length; flat++) {
            int index = 0;
            for (int axis = 0; axis < shape.length; axis++) {
                int coordinate = flat / strides[axis] % shape[axis];
                index += (selected[axis] == null ? coordinate : selected[axis][coordinate]) * sourceStrides[axis];
            }
            out[flat] = source[index];
        }
        return typed(data.type(), shape, out);
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
