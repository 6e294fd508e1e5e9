package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * {@code Cast} to another element type. A cast to a floating-point type passes values (and gradients) unchanged;
 * a cast to an integer or boolean type (mask arithmetic) has no data input.
 */
final class CastOp extends MoveOp {

    @Override
    public String opType() {
        return "Cast";
    }

    private static ElementType target(Node node) {
        return ElementType.fromOnnxCode((int) node.attributes().getInt("to", -1));
    }

    @Override
    public BitSet dataInputs(Node node) {
        BitSet data = new BitSet();
        data.set(0, target(node).isFloatingPoint());
        return data;
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(inputShapes.get(0).clone());
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.cast(inputs.get(0), target(view.node())));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return Gradients.first(inputs.size(), outputGradients.get(0));
    }
}
