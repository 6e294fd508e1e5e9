package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.Unary;
import java.util.List;
import java.util.stream.IntStream;

/**
 * AttnLRP's LayerNorm rule: the epsilon rule through the LayerNorm made linear by freezing its standard deviation,
 * <pre>
 *   y = (x - mean x) / sigma * g + b,   sigma = sqrt(var x + eps_node)  (held constant)
 *   v = R / (y + eps),   R_x = x * (g v - mean(g v)) / sigma
 * </pre>
 * over the normalized axes (from the node's {@code axis} to the last). The bias and the stabilizer absorb relevance.
 * Achtibat et al., "AttnLRP", ICML 2024, §3.3 (identity of the normalisation, std detached); LXT
 * {@code lxt.explicit.functional.layer_norm} (unsigned stabilizer, eps 1e-6).
 *
 * @param epsilon the stabilizer of {@code y} (LXT default 1e-6)
 */
public record LayerNormRule(double epsilon) implements Rule {

    @Override
    public String name() {
        return "layernorm";
    }

    @Override
    public String spec() {
        return "layernorm(epsilon=" + Specs.number(epsilon) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.LAYERNORM;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T x = layer.input(0);
        int rank = p.rank(x);
        int first = Shapes.axis(layer.view().node().attributes().getInt("axis", -1), rank);
        int[] axes = IntStream.range(first, rank).toArray();
        double nodeEpsilon = layer.view().node().attributes().getFloat("epsilon", 1e-5);
        T centered = p.sub(x, p.reduceMean(x, axes, true));
        T sigma = p.unary(Unary.SQRT, p.add(p.reduceMean(p.unary(Unary.SQUARE, centered), axes, true),
                p.scalar(nodeEpsilon)));
        T v = Stabilizer.LXT.divide(p, relevance.get(0), layer.output(), epsilon);
        T scaled = p.mul(v, layer.input(1));
        T gradient = p.div(p.sub(scaled, p.reduceMean(scaled, axes, true)), sigma);
        return layer.toFirstInput(p.mul(x, gradient));
    }
}
