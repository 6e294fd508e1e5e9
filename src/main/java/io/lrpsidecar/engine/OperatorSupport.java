package io.lrpsidecar.engine;

import io.lrpsidecar.engine.op.Op;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.graph.ElementType;
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
    public static final String SUPPORTED = Ops.supported() + "; a Softmax, LogSoftmax or Sigmoid that ends the graph "
            + "is not explained through";

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
        ElementType inputType = graph.inputs().get(0).type();
        if (!inputType.isFloatingPoint() && inputType != ElementType.INT64) {
            throw new ModelLoadException("expected a float input or int64 token ids, found input '"
                    + graph.inputs().get(0).name()
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
        Optional<Op> op = Ops.find(node);
        if (op.isEmpty()) {
            return Optional.of("");
        }
        boolean secondaryUsed = node.outputs().stream().skip(1).filter(extra -> !extra.isEmpty())
                .anyMatch(extra -> !graph.consumers(extra).isEmpty()
                        || graph.outputs().stream().anyMatch(output -> output.name().equals(extra)));
        if (secondaryUsed && !op.get().multipleOutputs()) {
            return Optional.of("its secondary outputs are used");
        }
        if (endsGraph) {
            return Optional.empty();
        }
        return op.get().refusal(node, graph);
    }
}
