package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * What emitters know about the model being compiled: the canonical graph, the static shape of every value at batch
 * size 1 (only the non-batch axes are used), and which values are known to be non-negative (so that terms in
 * {@code x-} can be dropped).
 *
 * @param graph       the canonical forward graph
 * @param shapes      the shape of every value at batch 1
 * @param batchAxes   the batch axis of values where it is not axis 0
 * @param nonNegative values that cannot be negative (after a Relu, and what only moves or pools such values)
 * @param builder     the graph under construction
 */
record CompileContext(Graph graph, Map<String, int[]> shapes, Map<String, Integer> batchAxes,
        Set<String> nonNegative, GraphBuilder builder) {

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

    boolean isNonNegative(String value) {
        return nonNegative.contains(value);
    }

    LinearEmitter linear(Node node) {
        return new LinearEmitter(builder, node, shape(node.input(0)), shape(node.input(1)));
    }
}
