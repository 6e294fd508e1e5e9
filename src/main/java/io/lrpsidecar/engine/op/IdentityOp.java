package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;
import java.util.Map;

/** {@code Identity}, and {@code Dropout} at inference (its mask output unused): {@code y = x}. */
final class IdentityOp extends MoveOp {
    private final String opType;

    private IdentityOp(String opType) {
        this.opType = opType;
    }

    static IdentityOp identity() {
        return new IdentityOp("Identity");
    }

    static IdentityOp dropout() {
        return new IdentityOp("Dropout");
    }

    @Override
    public String opType() {
        return opType;
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(inputShapes.get(0).clone());
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(inputs.get(0));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return Gradients.first(inputs.size(), outputGradients.get(0));
    }
}
