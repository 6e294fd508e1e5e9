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

/**
 * The canonical dense layer {@code y[..., n] = sum_k x[..., k] W[n, k] + b[n]} (inputs {@code x, W[N, K], b[N]}),
 * which Gemm and MatMul + Add with constant weights become when the graph is canonicalized. Gradient {@code g W}.
 */
final class DenseOp implements Op {

    @Override
    public String opType() {
        return "Dense";
    }

    @Override
    public String domain() {
        return Node.LRP_DOMAIN;
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0).clone();
        shape[shape.length - 1] = inputShapes.get(1)[0];
        return List.of(shape);
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.linear(inputs.get(0), inputs.get(1), inputs.size() > 2 ? inputs.get(2) : null));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return Gradients.first(inputs.size(), p.matMul(outputGradients.get(0), inputs.get(1)));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.DENSE;
    }
}
