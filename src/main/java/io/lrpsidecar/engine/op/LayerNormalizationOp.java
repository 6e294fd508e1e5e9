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
import java.util.stream.IntStream;

/**
 * {@code LayerNormalization} (opset 17, or fused from its decomposition by {@code graph.rewrite}) over the axes from
 * {@code axis} (default -1) to the last:
 * <pre>
 *   mu = mean(x),  sigma = sqrt(mean((x - mu)^2) + eps),  xhat = (x - mu) / sigma,  y = xhat * scale + bias
 *   J^T g = (g' - mean(g') - xhat mean(g' xhat)) / sigma,   g' = g * scale
 * </pre>
 * Only its first output is supported; scale and bias are constants.
 */
final class LayerNormalizationOp implements Op {

    @Override
    public String opType() {
        return "LayerNormalization";
    }

    @Override
    public String support() {
        return "LayerNormalization (also fused from its decomposition)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        for (int index = 1; index < node.inputs().size(); index++) {
            if (!node.input(index).isEmpty() && !graph.isConstant(node.input(index))) {
                return Optional.of("input " + index + " ('" + node.input(index) + "') must be a constant");
            }
        }
        return Optional.empty();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(inputShapes.get(0).clone());
    }

    /** The normalized axes of an input of rank {@code rank}. */
    static int[] axes(Node node, int rank) {
        int first = Gradients.axis(node.attributes().getInt("axis", -1), rank);
        return IntStream.range(first, rank).toArray();
    }

    /** {@code sigma = sqrt(mean((x - mu)^2) + eps)}, kept broadcastable against {@code x}. */
    static <T> T sigma(Primitives<T> p, Node node, T x) {
        int[] axes = axes(node, p.rank(x));
        T centered = p.sub(x, p.reduceMean(x, axes, true));
        double epsilon = node.attributes().getFloat("epsilon", 1e-5);
        return p.unary(Unary.SQRT, p.add(p.reduceMean(p.unary(Unary.SQUARE, centered), axes, true),
                p.scalar(epsilon)));
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        int[] axes = axes(view.node(), p.rank(x));
        T normalized = p.div(p.sub(x, p.reduceMean(x, axes, true)), sigma(p, view.node(), x));
        T y = p.mul(normalized, inputs.get(1));
        return List.of(inputs.size() > 2 && inputs.get(2) != null ? p.add(y, inputs.get(2)) : y);
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T x = inputs.get(0);
        int[] axes = axes(view.node(), p.rank(x));
        T sigma = sigma(p, view.node(), x);
        T normalized = p.div(p.sub(x, p.reduceMean(x, axes, true)), sigma);
        T scaled = p.mul(outputGradients.get(0), inputs.get(1));
        T gradient = p.sub(p.sub(scaled, p.reduceMean(scaled, axes, true)),
                p.mul(normalized, p.reduceMean(p.mul(scaled, normalized), axes, true)));
        return Gradients.first(inputs.size(), p.div(gradient, sigma));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.LAYERNORM;
    }
}
