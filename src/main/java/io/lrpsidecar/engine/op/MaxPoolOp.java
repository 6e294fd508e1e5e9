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

/**
 * {@code MaxPool} over one or two spatial axes (its optional indices output unused). The gradient routes each
 * output's gradient to the first maximal element of its window in row-major scan order (PyTorch's tie rule), and
 * overlapping windows add up.
 */
final class MaxPoolOp extends PoolOp {

    @Override
    public String opType() {
        return "MaxPool";
    }

    @Override
    public String support() {
        return "MaxPool (1-D, 2-D)";
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.maxPool(inputs.get(0), new Window(view.node())));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return List.of(p.maxPoolRoute(outputGradients.get(0), inputs.get(0), outputs.get(0),
                new Window(view.node())));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.MAXPOOL;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0));
    }
}
