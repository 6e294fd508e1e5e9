package io.lrpsidecar.engine;

import io.lrpsidecar.engine.op.Op;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.BatchAxes;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The static facts of every node of a canonical graph ({@link NodeView}), computed once per model so that every
 * engine sees the same. A value carries relevance when it is the explanation's root or an output of a node with a
 * carrying data input (unless the composite holds the node's kind) (so constant branches, such as masks computed from token ids, carry none); a value is
 * non-negative when its operator says so ({@link Op#nonNegativeOutput}).
 */
public final class NodeViews {

    private NodeViews() {
    }

    /**
     * The view of each node, by node name, in topological order.
     *
     * @param root the value relevance is read at (the input, or {@code h0} for token ids)
     * @param held kinds whose outputs are held constant and so carry no relevance
     */
    public static Map<String, NodeView> of(Graph graph, String root, Set<OpKind> held) {
        Map<String, int[]> shapes = staticShapes(graph);
        Map<String, Integer> batchAxes = BatchAxes.of(graph, Ops::shapeRule);
        Set<String> carryingValues = new HashSet<>();
        carryingValues.add(root);
        Set<String> nonNegative = new HashSet<>();
        Set<String> gated = reluGatedValues(graph);
        Map<String, NodeView> views = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            Op op = Ops.of(node);
            BitSet data = op.dataInputs(node);
            List<Tensor> constants = new ArrayList<>();
            List<int[]> inputShapes = new ArrayList<>();
            BitSet carrying = new BitSet();
            BitSet nonNegativeInputs = new BitSet();
            for (int i = 0; i < node.inputs().size(); i++) {
                String input = node.input(i);
                constants.add(input.isEmpty() ? null : graph.constant(input).orElse(null));
                inputShapes.add(shapes.get(input));
                carrying.set(i, data.get(i) && carryingValues.contains(input));
                nonNegativeInputs.set(i, nonNegative.contains(input));
            }
            OpKind kind = op.kind(node, graph, carrying);
            if (!carrying.isEmpty() && !held.contains(kind)) {
                carryingValues.addAll(node.outputs());
            }
            if (op.nonNegativeOutput(node, graph, nonNegative::contains)) {
                nonNegative.add(node.output());
            }
            views.put(node.name(), new NodeView(node, kind, constants, carrying,
                    nonNegativeInputs, inputShapes, node.outputs().stream().map(shapes::get).toList(),
                    node.outputs().stream().map(output -> batchAxes.getOrDefault(output, 0)).toList(),
                    gated.contains(node.output())));
        }
        return views;
    }

    /** The values that only Relu nodes consume and that are not graph outputs ({@link NodeView#reluGated}). */
    private static Set<String> reluGatedValues(Graph graph) {
        Map<String, Boolean> onlyRelu = new HashMap<>();
        for (Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                if (!input.isEmpty()) {
                    onlyRelu.merge(input, node.opType().equals("Relu"), Boolean::logicalAnd);
                }
            }
        }
        graph.outputs().forEach(output -> onlyRelu.put(output.name(), false));
        Set<String> gated = new HashSet<>();
        onlyRelu.forEach((value, relu) -> {
            if (relu) {
                gated.add(value);
            }
        });
        return gated;
    }

    private static Map<String, int[]> staticShapes(Graph graph) {
        try {
            return ShapeInference.infer(graph, 1, Ops::shapeRule);
        } catch (ModelLoadException unknownAxes) {
            return Map.of();
        }
    }
}
