package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Window;
import java.util.BitSet;
import java.util.List;
import java.util.function.Predicate;

/** {@code AveragePool} with {@code count_include_pad} either way; the gradient spreads {@code g / divisor}. */
final class AveragePoolOp extends PoolOp {

    @Override
    public String opType() {
        return "AveragePool";
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.averagePool(inputs.get(0), new Window(view.node())));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return List.of(p.averagePoolTransposed(outputGradients.get(0), new Window(view.node()), inputs.get(0)));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.AVGPOOL;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0));
    }
}
