package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Gemm} as exported, before canonicalization: with a constant weight and bias it becomes a {@code Dense}
 * node, so it only needs a shape function here; any Gemm left is refused.
 */
final class GemmOp implements Op {

    @Override
    public String opType() {
        return "Gemm";
    }

    @Override
    public String support() {
        return "Gemm (constant weight)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        return Optional.of("weight B and bias C must be constants, C of shape [N] or scalar");
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] a = inputShapes.get(0);
        int[] b = inputShapes.get(1);
        int rows = node.attributes().getInt("transA", 0) != 0 ? a[1] : a[0];
        int cols = node.attributes().getInt("transB", 0) != 0 ? b[0] : b[1];
        return List.of(new int[] {rows, cols});
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        throw new IllegalStateException("node " + view.node().describe() + " should have become a Dense node");
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        throw new IllegalStateException("node " + view.node().describe() + " should have become a Dense node");
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.DENSE;
    }
}
