package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Names;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.ShapeRule;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * A read-only index of one graph for matching: who produces and who reads each value, constants (initializers and
 * {@code Constant} nodes alike, so that patterns match before and after constant folding), and the static shapes
 * that can be inferred.
 */
public final class GraphView {
    /** Relative distance within which a float32 constant counts as the formula's constant (float32 keeps ~7 digits). */
    static final double CONSTANT_TOLERANCE = 1e-6;

    private final Graph graph;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, Integer> uses;
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<String, Boolean> valueNames = new HashMap<>();
    private final Map<String, Boolean> nodeNames = new HashMap<>();
    private final Function<Node, ShapeRule> shapeRules;
    private Map<String, int[]> shapes;

    public GraphView(Graph graph, Function<Node, ShapeRule> shapeRules) {
        this.graph = graph;
        this.shapeRules = shapeRules;
        for (Node node : graph.nodes()) {
            nodeNames.put(node.name(), true);
            for (String output : node.outputs()) {
                producers.put(output, node);
                valueNames.put(output, true);
            }
            for (String input : node.inputs()) {
                List<Node> readers = consumers.computeIfAbsent(input, name -> new ArrayList<>());
                if (!readers.contains(node)) {
                    readers.add(node);
                }
            }
        }
        graph.outputs().forEach(output -> graphOutputs.add(output.name()));
        graph.inputs().forEach(input -> valueNames.put(input.name(), true));
        graph.initializers().keySet().forEach(name -> valueNames.put(name, true));
        uses = graph.useCounts();
    }

    public Graph graph() {
        return graph;
    }

    /** The default-domain node of this op type producing the value, if that is what produces it. */
    public Optional<Node> producer(String value, String opType) {
        Node node = producers.get(value);
        return node != null && node.opType().equals(opType) && node.domain().isEmpty()
                ? Optional.of(node) : Optional.empty();
    }

    /** The distinct nodes reading a value, in graph order. */
    public List<Node> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** How often a value is read: by node inputs (a node reading it twice counts twice) and as a graph output. */
    public int uses(String value) {
        return uses.getOrDefault(value, 0);
    }

    public boolean isGraphOutput(String value) {
        return graphOutputs.contains(value);
    }

    /** The constant value: an initializer, or the output of a {@code Constant} node. */
    public Optional<Tensor> constant(String value) {
        Tensor initializer = graph.initializers().get(value);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        return producer(value, "Constant").flatMap(GraphView::constantValue);
    }

    /** The value of a constant with exactly one element (any rank), if the value is one. */
    public OptionalDouble scalar(String value) {
        return constant(value).filter(tensor -> tensor.size() == 1)
                .map(tensor -> OptionalDouble.of(tensor.asDoubles()[0])).orElse(OptionalDouble.empty());
    }

    /** Whether the value is a one-element constant within float32 rounding of {@code expected}. */
    public boolean isScalarNear(String value, double expected) {
        OptionalDouble scalar = scalar(value);
        return scalar.isPresent()
                && Math.abs(scalar.getAsDouble() - expected) <= CONSTANT_TOLERANCE * Math.abs(expected);
    }

    /** The static shape of a value at batch size 1, where shape inference knows it. */
    public Optional<int[]> shape(String value) {
        if (shapes == null) {
            shapes = ShapeInference.inferKnown(graph, 1, shapeRules);
        }
        return Optional.ofNullable(shapes.get(value)).map(int[]::clone);
    }

    /**
     * Whether every value a matched node produces, except the anchor's output, is read only by matched nodes and is
     * no graph output: replacing the match then removes nothing that the rest of the graph needs.
     */
    public boolean readOnlyWithin(Match match) {
        for (Node node : match.nodes().values()) {
            if (node == match.anchor()) {
                continue;
            }
            for (String output : node.outputs()) {
                if (isGraphOutput(output)
                        || !consumers(output).stream().allMatch(reader -> match.nodes().containsValue(reader))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The factors of the product computed by a {@code Mul} node: an operand produced by another {@code Mul} that
     * only this product reads is expanded into its own operands, so that {@code (x * a) * 0.5},
     * {@code (0.5 * x) * a} and {@code x * (a * 0.5)} give the same factors.
     */
    public Product product(Node mul) {
        List<String> factors = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        expand(mul, factors, nodes);
        return new Product(factors, nodes);
    }

    private void expand(Node mul, List<String> factors, List<Node> nodes) {
        nodes.add(mul);
        for (String operand : mul.inputs()) {
            Optional<Node> inner = producer(operand, "Mul");
            if (inner.isPresent() && uses(operand) == 1) {
                expand(inner.get(), factors, nodes);
            } else {
                factors.add(operand);
            }
        }
    }

    /**
     * The name for a fused node: the scope the matched nodes share (such as {@code /blocks.0/ln1/}) followed by the
     * op type, as an exporter names the op at a newer opset, made unique among the graph's node names.
     */
    public String fusedNodeName(Match match, String opType) {
        List<String> names = match.nodes().values().stream().map(Node::name).toList();
        String common = names.get(0);
        for (String name : names) {
            int length = 0;
            while (length < common.length() && length < name.length()
                    && common.charAt(length) == name.charAt(length)) {
                length++;
            }
            common = common.substring(0, length);
        }
        String scope = common.substring(0, common.lastIndexOf('/') + 1);
        String base = scope.isEmpty() ? match.anchor().name() + "_" + opType : scope + opType;
        return Names.unique(base, nodeNames);
    }

    /** A value name based on {@code base} that no value of the graph has yet. */
    public String newValueName(String base) {
        return Names.unique(base, valueNames);
    }

    /**
     * The operands of a two-input node of which exactly one is a constant.
     *
     * @return the computed operand, the constant operand and the constant's input index; empty when neither or
     *         both inputs are constants
     */
    public Optional<Operands> splitConstant(Node node) {
        if (node.inputs().size() != 2) {
            return Optional.empty();
        }
        boolean firstConstant = constant(node.input(0)).isPresent();
        boolean secondConstant = constant(node.input(1)).isPresent();
        if (firstConstant == secondConstant) {
            return Optional.empty();
        }
        int constantIndex = firstConstant ? 0 : 1;
        return Optional.of(new Operands(node.input(1 - constantIndex), node.input(constantIndex), constantIndex));
    }

    /**
     * The operands of a binary node with one constant input.
     *
     * @param value         the computed operand
     * @param constant      the constant operand
     * @param constantIndex the constant's input index
     */
    public record Operands(String value, String constant, int constantIndex) {
    }

    private static Optional<Tensor> constantValue(Node constant) {
        var attributes = constant.attributes();
        if (attributes.has("value")) {
            return attributes.getTensor("value");
        }
        if (attributes.has("value_float")) {
            return Optional.of(Tensor.scalar(attributes.getFloat("value_float", 0)));
        }
        if (attributes.has("value_floats")) {
            double[] values = attributes.getFloats("value_floats").orElseThrow();
            return Optional.of(Tensor.of(new int[] {values.length}, values));
        }
        if (attributes.has("value_int")) {
            return Optional.of(Tensor.ofLongs(new int[0], new long[] {attributes.getInt("value_int", 0)}));
        }
        return attributes.getInts("value_ints").map(values -> Tensor.ofLongs(new int[] {values.length}, values));
    }
}
