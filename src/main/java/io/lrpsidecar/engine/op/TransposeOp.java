package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;
import java.util.Map;

/** {@code Transpose} by a permutation (reversed axes by default); the gradient uses the inverse permutation. */
final class TransposeOp extends MoveOp {

    @Override
    public String opType() {
        return "Transpose";
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0);
        return List.of(ShapeFunctions.transpose(shape, ShapeFunctions.permutation(node, shape.length)));
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        return List.of(p.transpose(x, ShapeFunctions.permutation(view.node(), p.rank(x))));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        int[] permutation = ShapeFunctions.permutation(view.node(), p.rank(inputs.get(0)));
        int[] inverse = new int[permutation.length];
        for (int i = 0; i < permutation.length; i++) {
            inverse[permutation[i]] = i;
        }
        return List.of(p.transpose(outputGradients.get(0), inverse));
    }
}
