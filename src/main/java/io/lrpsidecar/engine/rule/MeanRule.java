package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * AttnLRP's rule for a mean over tokens (or any ReduceMean): each input gets its share of the sum,
 * <pre>
 *   R_i = x_i * R / (sum_k x_k + eps)        (the stabilizer on the sum, not on the mean)
 * </pre>
 * Achtibat et al., "AttnLRP", ICML 2024; LXT {@code lxt.explicit.functional.mean} (unsigned stabilizer, eps 1e-6).
 *
 * @param epsilon the stabilizer of the sum (LXT default 1e-6)
 */
public record MeanRule(double epsilon) implements Rule {

    @Override
    public String name() {
        return "mean";
    }

    @Override
    public String spec() {
        return "mean(epsilon=" + Specs.number(epsilon) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.MEAN;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T x = layer.input(0);
        int rank = p.rank(x);
        T sum = p.reduceSum(x, axes(layer.view(), rank), true);
        T kept = p.reshapeLike(relevance.get(0), sum);
        return layer.toFirstInput(p.mul(x, p.expandLike(Stabilizer.LXT.divide(p, kept, sum, epsilon), x)));
    }

    /** The reduced axes: the {@code axes} input (opset 18) or attribute, all axes when none are given. */
    private static int[] axes(NodeView view, int rank) {
        long[] axes = view.node().inputs().size() > 1 && view.constant(1) != null ? view.constant(1).asLongs()
                : view.node().attributes().getInts("axes").orElse(null);
        if (axes == null || axes.length == 0) {
            return IntStream.range(0, rank).toArray();
        }
        return Arrays.stream(axes).mapToInt(axis -> Shapes.axis(axis, rank)).sorted().toArray();
    }
}
