package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;
import java.util.Map;

/**
 * {@code Gather} along an axis: an embedding lookup (constant table, token ids computed at run time), or the
 * selection of positions of an activation such as a class token ({@code x[:, 0]}). The data is input 0; the indices
 * never carry relevance. The gradient adds each selected slice back at its index.
 */
final class GatherOp extends MoveOp {

    @Override
    public String opType() {
        return "Gather";
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] data = inputShapes.get(0);
        int[] indices = inputShapes.get(1);
        int axis = Gradients.axis(node.attributes().getInt("axis", 0), data.length);
        int[] out = new int[data.length - 1 + indices.length];
        System.arraycopy(data, 0, out, 0, axis);
        System.arraycopy(indices, 0, out, axis, indices.length);
        System.arraycopy(data, axis + 1, out, axis + indices.length, data.length - axis - 1);
        return List.of(out);
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T data = inputs.get(0);
        return List.of(p.gather(data, inputs.get(1), axis(p, view, data)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T data = inputs.get(0);
        return Gradients.first(inputs.size(), p.gatherTransposed(outputGradients.get(0), inputs.get(1),
                axis(p, view, data), data));
    }

    private static <T> int axis(Primitives<T> p, NodeView view, T data) {
        return Gradients.axis(view.node().attributes().getInt("axis", 0), p.rank(data));
    }
}
