package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code Concat} along an axis; every input is data (a constant part, such as a class token, carries nothing); the
 * gradient is split back into the inputs' extents.
 */
final class ConcatOp extends MoveOp {

    @Override
    public String opType() {
        return "Concat";
    }

    @Override
    public BitSet dataInputs(Node node) {
        BitSet data = new BitSet();
        data.set(0, node.inputs().size());
        return data;
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(ShapeFunctions.concat(node, inputShapes));
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.concat(inputs, axis(view.node(), p.rank(inputs.get(0)))));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T g = outputGradients.get(0);
        int axis = axis(view.node(), p.rank(g));
        long[] sizes = new long[inputs.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = view.inputShape(i)[axis];
        }
        return new ArrayList<>(p.split(g, axis, sizes));
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return node.inputs().stream().allMatch(nonNegative);
    }

    private static int axis(Node node, int rank) {
        return Gradients.axis(node.attributes().getInt("axis", 0), rank);
    }
}
