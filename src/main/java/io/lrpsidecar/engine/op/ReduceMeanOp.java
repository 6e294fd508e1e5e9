package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * {@code ReduceMean} over the given axes (attribute below opset 18, input from 18; all axes by default), with or
 * without kept dimensions; kind {@code MEAN} (such as the mean over tokens that pools a sequence). The gradient
 * spreads {@code g / n} over each reduced block.
 */
final class ReduceMeanOp implements Op {

    @Override
    public String opType() {
        return "ReduceMean";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        return node.inputs().size() > 1 && !node.input(1).isEmpty() && !graph.isConstant(node.input(1))
                ? Optional.of("axes must be a constant") : Optional.empty();
    }

    private static int[] axes(Node node, int rank, Map<String, Tensor> constants) {
        long[] axes = node.inputs().size() > 1 && !node.input(1).isEmpty()
                ? ShapeInference.constantInput(node, 1, constants).asLongs()
                : node.attributes().getInts("axes").orElse(null);
        if (axes == null || axes.length == 0) {
            return IntStream.range(0, rank).toArray();
        }
        return java.util.Arrays.stream(axes).mapToInt(axis -> Shapes.axis(axis, rank)).sorted().toArray();
    }

    private static int[] axes(NodeView view, int rank) {
        Map<String, Tensor> constants = new java.util.HashMap<>();
        if (view.node().inputs().size() > 1 && view.constant(1) != null) {
            constants.put(view.node().input(1), view.constant(1));
        }
        return axes(view.node(), rank, constants);
    }

    private static boolean keepDims(Node node) {
        return node.attributes().getInt("keepdims", 1) != 0;
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0);
        int[] axes = axes(node, shape.length, constants);
        List<Integer> out = new ArrayList<>();
        for (int axis = 0; axis < shape.length; axis++) {
            boolean reduced = java.util.Arrays.binarySearch(axes, axis) >= 0;
            if (!reduced) {
                out.add(shape[axis]);
            } else if (keepDims(node)) {
                out.add(1);
            }
        }
        return List.of(out.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        return List.of(p.reduceMean(x, axes(view, p.rank(x)), keepDims(view.node())));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T x = inputs.get(0);
        int[] axes = axes(view, p.rank(x));
        T count = p.reduceSum(p.onesLike(x), axes, true);
        T kept = p.reshapeLike(outputGradients.get(0), p.reduceSum(x, axes, true));
        return Gradients.first(inputs.size(), p.expandLike(p.div(kept, count), x));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.MEAN;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0));
    }
}
