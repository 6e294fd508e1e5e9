package io.lrpsidecar.engine;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The static facts of every node of a canonical graph ({@link NodeView}), computed once per model so that every
 * engine sees the same: an input carries relevance when it is computed at run time, and a value is non-negative
 * when a Relu or Sigmoid produces it, or an op that only moves, pools, concatenates or sums such values, or scales
 * them by a non-negative constant.
 */
public final class NodeViews {
    private static final Set<String> PRESERVING = Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "Flatten",
            "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Identity", "Dropout", "Pad");

    private NodeViews() {
    }

    /** The view of each node, by node name, in topological order. */
    public static Map<String, NodeView> of(Graph graph) {
        Set<String> nonNegative = nonNegativeValues(graph);
        Map<String, NodeView> views = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            List<Tensor> constants = new ArrayList<>();
            BitSet carrying = new BitSet();
            BitSet nonNegativeInputs = new BitSet();
            for (int i = 0; i < node.inputs().size(); i++) {
                String input = node.input(i);
                constants.add(input.isEmpty() ? null : graph.constant(input).orElse(null));
                carrying.set(i, !input.isEmpty() && !graph.isConstant(input));
                nonNegativeInputs.set(i, nonNegative.contains(input));
            }
            views.put(node.name(), new NodeView(node, OpKind.of(node, graph), constants, carrying,
                    nonNegativeInputs));
        }
        return views;
    }

    private static Set<String> nonNegativeValues(Graph graph) {
        Set<String> nonNegative = new HashSet<>();
        for (Node node : graph.nodes()) {
            boolean result = switch (node.opType()) {
                case "Relu", "Sigmoid" -> true;
                case "Concat" -> node.inputs().stream().allMatch(nonNegative::contains);
                case "Add" -> nonNegative.contains(node.input(0)) && nonNegative.contains(node.input(1));
                case "Mul", "Div" -> nonNegative.contains(node.input(0)) && graph.constant(node.input(1))
                        .map(c -> Arrays.stream(c.asDoubles()).allMatch(v -> v >= 0)).orElse(false);
                default -> PRESERVING.contains(node.opType()) && nonNegative.contains(node.input(0));
            };
            if (result) {
                nonNegative.add(node.output());
            }
        }
        return nonNegative;
    }
}
