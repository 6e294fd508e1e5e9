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
import java.util.function.Predicate;

/**
 * {@code Softmax} and {@code LogSoftmax} along an axis (default -1, opset 13+). Ending the graph, they are not
 * explained through (relevance starts at their input); inside a graph (attention) Softmax has kind {@code SOFTMAX}.
 * Gradient of the softmax: {@code y (g - sum(g y))}; of the log-softmax: {@code g - softmax(x) sum(g)}.
 */
final class SoftmaxOp implements Op {
    private final boolean logarithmic;

    private SoftmaxOp(boolean logarithmic) {
        this.logarithmic = logarithmic;
    }

    static SoftmaxOp softmax() {
        return new SoftmaxOp(false);
    }

    static SoftmaxOp logSoftmax() {
        return new SoftmaxOp(true);
    }

    @Override
    public String opType() {
        return logarithmic ? "LogSoftmax" : "Softmax";
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(inputShapes.get(0).clone());
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        int axis = axis(p, view.node(), x);
        return List.of(logarithmic ? p.logSoftmax(x, axis) : p.softmax(x, axis));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T x = inputs.get(0);
        T y = outputs.get(0);
        T g = outputGradients.get(0);
        int[] axis = {axis(p, view.node(), x)};
        if (logarithmic) {
            return List.of(p.sub(g, p.mul(p.softmax(x, axis[0]), p.reduceSum(g, axis, true))));
        }
        return List.of(p.mul(y, p.sub(g, p.reduceSum(p.mul(g, y), axis, true))));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.SOFTMAX;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return !logarithmic;
    }

    private static <T> int axis(Primitives<T> p, Node node, T x) {
        return Gradients.axis(node.attributes().getInt("axis", -1), p.rank(x));
    }
}
