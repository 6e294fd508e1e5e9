package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inference {@code BatchNormalization} {@code y = (x - mean) / sqrt(var + eps) * scale + B} over axis 1, computed as
 * {@code x s + t} with {@code s = scale / sqrt(var + eps)} and {@code t = B - mean s} per channel; gradient
 * {@code g s}. Its running statistics are constants (its extra training outputs unused).
 */
final class BatchNormalizationOp implements Op {

    @Override
    public String opType() {
        return "BatchNormalization";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        for (int index = 1; index <= 4; index++) {
            if (!graph.isConstant(node.input(index))) {
                return Optional.of("input " + index + " ('" + node.input(index) + "') must be a constant");
            }
        }
        return node.attributes().getInt("training_mode", 0) != 0 ? Optional.of("training mode") : Optional.empty();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(inputShapes.get(0).clone());
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        T scale = channelScale(p, view.node(), inputs);
        T shift = p.sub(inputs.get(2), p.mul(inputs.get(3), scale));
        return List.of(p.add(p.mul(x, perChannel(p, scale, x)), perChannel(p, shift, x)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T scale = perChannel(p, channelScale(p, view.node(), inputs), inputs.get(0));
        return Gradients.first(inputs.size(), p.mul(outputGradients.get(0), scale));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.BATCHNORM;
    }

    /** {@code gamma / sqrt(var + eps)} per channel. */
    private static <T> T channelScale(Primitives<T> p, Node node, List<T> inputs) {
        double epsilon = node.attributes().getFloat("epsilon", 1e-5);
        return p.div(inputs.get(1), p.unary(Unary.SQRT, p.add(inputs.get(4), p.scalar(epsilon))));
    }

    /** A per-channel vector shaped {@code [C, 1, ...]} to broadcast along axis 1 of {@code x}. */
    private static <T> T perChannel(Primitives<T> p, T values, T x) {
        long[] shape = new long[Math.max(p.rank(x) - 1, 1)];
        java.util.Arrays.fill(shape, 1);
        shape[0] = -1;
        return p.reshape(values, shape);
    }
}
