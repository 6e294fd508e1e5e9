package io.lrpsidecar.engine;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, before anything runs, whether the engine can explain every node of a canonical graph, and refuses the
 * model with one message naming every unsupported node and listing what is supported. Never a silent wrong answer.
 */
public final class OperatorSupport {

    /** What the engine supports, as the refusal message lists it. */
    public static final String SUPPORTED = "Gemm (constant weight), MatMul (constant weight, optional constant Add "
            + "as bias), Conv (1-D, 2-D), Relu, LeakyRelu, Sigmoid, Tanh, MaxPool (1-D, 2-D), AveragePool, "
            + "GlobalAveragePool, Pad (constant zero), Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Identity, "
            + "Dropout, BatchNormalization, Add (residual of two activations, or a constant), Concat, "
            + "Sub/Mul/Div by a constant, Softmax/LogSoftmax/Sigmoid ending the graph";

    private static final Set<String> PLAIN = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Identity", "Dropout",
            "Flatten", "Transpose", "Concat", "GlobalAveragePool", "Dense");
    private static final Set<String> OUTPUT_ACTIVATIONS = Set.of("Softmax", "LogSoftmax", "Sigmoid");

    private OperatorSupport() {
    }

    /** The node that ends the graph with a Softmax, LogSoftmax or Sigmoid, if any. */
    public static Optional<Node> outputActivation(Graph graph) {
        String output = graph.outputs().get(0).name();
        return graph.producer(output).filter(node -> OUTPUT_ACTIVATIONS.contains(node.opType()));
    }

    public static void check(Graph graph) {
        if (graph.inputs().size() != 1) {
            throw new ModelLoadException("expected a model with exactly one runtime input, found "
                    + graph.inputs().stream().map(ValueInfo::name).toList());
        }
        if (!graph.inputs().get(0).type().isFloatingPoint()) {
            throw new ModelLoadException("expected a float input, found input '" + graph.inputs().get(0).name()
                    + "' of type " + graph.inputs().get(0).type());
        }
        if (graph.outputs().isEmpty()) {
            throw new ModelLoadException("the model declares no output");
        }
        List<String> problems = problems(graph);
        if (!problems.isEmpty()) {
            throw new ModelLoadException("unsupported node" + (problems.size() == 1 ? "" : "s") + " "
                    + String.join(", ", problems) + ". Supported: " + SUPPORTED);
        }
    }

    /** Every unsupported node as {@code 'name' (OpType): reason}, in graph order; empty when all are supported. */
    public static List<String> problems(Graph graph) {
        Optional<Node> ending = graph.outputs().isEmpty() ? Optional.empty() : outputActivation(graph);
        List<String> problems = new ArrayList<>();
        for (Node node : graph.nodes()) {
            boolean endsGraph = ending.isPresent() && ending.get().equals(node);
            reason(graph, node, endsGraph).ifPresent(reason -> problems.add(node.describe()
                    + (reason.isEmpty() ? "" : ": " + reason)));
        }
        return problems;
    }

    /** Why a node is unsupported ({@code ""} for an unknown op), or empty when it is supported. */
    private static Optional<String> reason(Graph graph, Node node, boolean endsGraph) {
        if (!node.domain().isEmpty() && !node.domain().equals(Node.LRP_DOMAIN)) {
            return Optional.of("operator domain '" + node.domain() + "'");
        }
        String op = node.opType();
        if (node.outputs().size() > 1 && !op.equals("Dropout") && !op.equals("BatchNormalization")
                && !op.equals("MaxPool")) {
            return Optional.of("more than one output");
        }
        boolean secondaryUsed = node.outputs().stream().skip(1).filter(extra -> !extra.isEmpty())
                .anyMatch(extra -> !graph.consumers(extra).isEmpty()
                        || graph.outputs().stream().anyMatch(output -> output.name().equals(extra)));
        if (secondaryUsed) {
            return Optional.of("its secondary outputs are used");
        }
        if (OUTPUT_ACTIVATIONS.contains(op) && endsGraph) {
            return Optional.empty();
        }
        if (PLAIN.contains(op)) {
            return Optional.empty();
        }
        return switch (op) {
            case "Softmax", "LogSoftmax" -> Optional.of("only supported where it ends the graph");
            case "Gemm" -> Optional.of("weight B and bias C must be constants, C of shape [N] or scalar");
            case "MatMul" -> Optional.of("weight must be a constant 2-D tensor");
            case "Conv" -> constants(graph, node, 1, 2).or(() -> graph.initializers().get(node.input(1)).rank() > 4
                    ? Optional.of("only 1-D and 2-D convolutions") : Optional.empty());
            case "MaxPool", "AveragePool" -> node.attributes().getInts("kernel_shape")
                    .filter(kernel -> kernel.length <= 2).isPresent() ? Optional.empty()
                    : Optional.of("only 1-D and 2-D pools");
            case "BatchNormalization" -> constants(graph, node, 1, 2, 3, 4).or(() ->
                    node.attributes().getInt("training_mode", 0) != 0 ? Optional.of("training mode")
                            : Optional.empty());
            case "Reshape" -> constants(graph, node, 1);
            case "Squeeze", "Unsqueeze" -> node.input(1).isEmpty() ? Optional.empty() : constants(graph, node, 1);
            case "Pad" -> pad(graph, node);
            case "Add" -> oneConstantOrResidual(graph, node, true);
            case "Sub", "Mul" -> oneConstantOrResidual(graph, node, false);
            case "Div" -> graph.isConstant(node.input(1)) && !graph.isConstant(node.input(0)) ? Optional.empty()
                    : Optional.of("only division of an activation by a constant");
            default -> Optional.of("");
        };
    }

    private static Optional<String> constants(Graph graph, Node node, int... indices) {
        for (int index : indices) {
            if (!graph.isConstant(node.input(index))) {
                return Optional.of("input " + index + " ('" + node.input(index) + "') must be a constant");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> oneConstantOrResidual(Graph graph, Node node, boolean residualAllowed) {
        int constants = (graph.isConstant(node.input(0)) ? 1 : 0) + (graph.isConstant(node.input(1)) ? 1 : 0);
        if (constants == 1 || (constants == 0 && residualAllowed)) {
            return Optional.empty();
        }
        return Optional.of(residualAllowed ? "both inputs are constants" : "only by a constant");
    }

    private static Optional<String> pad(Graph graph, Node node) {
        if (!node.attributes().getString("mode", "constant").equals("constant")) {
            return Optional.of("only constant (zero) padding");
        }
        if (!node.input(1).isEmpty() && !graph.isConstant(node.input(1))) {
            return Optional.of("pads must be a constant");
        }
        if (!node.input(2).isEmpty() && graph.constant(node.input(2)).map(value -> value.sum() != 0).orElse(true)) {
            return Optional.of("only zero padding");
        }
        if (node.attributes().getFloat("value", 0) != 0) {
            return Optional.of("only zero padding");
        }
        return Optional.empty();
    }
}
