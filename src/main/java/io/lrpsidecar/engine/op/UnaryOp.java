package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * An elementwise function of its first input: same shape, input 0 is the data, kind {@code ACTIVATION} (whose rule
 * in every built-in composite is {@code pass}). A subclass gives only {@code y = f(x)} and {@code g f'(x)}.
 */
abstract class UnaryOp implements Op {

    /** {@code f(x)}. */
    abstract <T> T apply(Primitives<T> p, Node node, T x);

    /** {@code g * f'(x)}, with {@code y = f(x)} at hand. */
    abstract <T> T derivative(Primitives<T> p, Node node, T x, T y, T g);

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(inputShapes.get(0).clone());
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(apply(p, view.node(), inputs.get(0)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        List<T> result = new ArrayList<>();
        result.add(derivative(p, view.node(), inputs.get(0), outputs.get(0), outputGradients.get(0)));
        for (int i = 1; i < inputs.size(); i++) {
            result.add(null);
        }
        return result;
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.ACTIVATION;
    }
}
