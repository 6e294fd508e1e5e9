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
import java.util.stream.IntStream;

/** {@code GlobalAveragePool}: the mean over all spatial positions of each channel, output {@code [N, C, 1, ...]}. */
final class GlobalAveragePoolOp implements Op {

    @Override
    public String opType() {
        return "GlobalAveragePool";
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0).clone();
        java.util.Arrays.fill(shape, 2, shape.length, 1);
        return List.of(shape);
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        return List.of(p.reduceMean(x, IntStream.range(2, p.rank(x)).toArray(), true));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T x = inputs.get(0);
        T ones = p.onesLike(x);
        T planeSize = p.reduceSum(ones, IntStream.range(2, p.rank(x)).toArray(), true);
        return List.of(p.expandLike(p.div(outputGradients.get(0), planeSize), x));
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
