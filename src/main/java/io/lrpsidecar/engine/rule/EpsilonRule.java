package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.List;

/**
 * LRP-epsilon:
 * <pre>
 *   z_j = sum_i w_ji x_i + b_j
 *   R_i = x_i * sum_j w_ji * R_j / stabilize(z_j, eps),   stabilize(z, eps) = z + eps * sign0(z)
 * </pre>
 * The bias and the stabilizer absorb relevance. With {@code eps = 0} this is LRP-0.
 * Bach et al., "On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation",
 * PLOS ONE 10(7), 2015; zennit {@code zennit.rules.Epsilon}.
 *
 * @param epsilon the stabilizer added to the magnitude of every denominator (zennit default 1e-6)
 */
public record EpsilonRule(double epsilon) implements Rule {
    @Override
    public String name() {
        return "epsilon";
    }

    @Override
    public String spec() {
        return "epsilon(epsilon=" + Specs.number(epsilon) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T s = Stabilizer.ZENNIT.divide(p, relevance.get(0), layer.output(), epsilon);
        LinearLayer<T> linear = new LinearLayer<>(layer);
        return linear.toInput(p.mul(linear.x(), linear.transposed(linear.weight(), s)));
    }
}
