package io.lrpsidecar.compiler;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.Map;

/**
 * What emitters know about the model being compiled: the canonical graph, the static shape of every value at batch
 * size 1 (only the non-batch axes are used), and which values are known to be non-negative (so that terms in
 * {@code x-} can be dropped).
 *
 * @param graph       the canonical forward graph
 * @param shapes      the shape of every value at batch 1
 * @param batchAxes   the batch axis of values where it is not axis 0
 * @param views       the static facts of every node, by node name
 * @param builder     the graph under construction
 */
record CompileContext(Graph graph, Map<String, int[]> shapes, Map<String, Integer> batchAxes,
        Map<String, NodeView> views, GraphBuilder builder) {

    int[] shape(String value) {
        int[] shape = shapes.get(value);
        if (shape == null) {
            throw new IllegalStateException("no static shape for value '" + value + "'");
        }
        return shape;
    }

    Tensor constant(String value) {
        return graph.initializers().get(value);
    }

    NodeView view(Node node) {
        return views.get(node.name());
    }

    LinearEmitter linear(Node node) {
        return new LinearEmitter(builder, node, shape(node.input(0)), shape(node.input(1)));
    }
}
