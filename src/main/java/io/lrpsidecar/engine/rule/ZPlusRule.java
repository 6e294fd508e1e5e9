package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * The z+ rule (alpha = 1, beta = 0, negative inputs allowed):
 * <pre>
 *   z+_j = sum_i w+_ji x+_i + sum_i w-_ji x-_i + b+_j
 *   s_j  = R_j / stabilize(z+_j)
 *   R_i  = x+_i * sum_j w+_ji s_j + x-_i * sum_j w-_ji s_j
 * </pre>
 * Montavon et al., "Explaining nonlinear classification decisions with deep Taylor decomposition", Pattern
 * Recognition 65, 2017; zennit {@code zennit.rules.ZPlus}.
 *
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record ZPlusRule(double stabilizer) implements LinearLayerRule {

    @Override
    public String name() {
        return "zplus";
    }

    @Override
    public String spec() {
        return "zplus(stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        LinearLayer<T> linear = new LinearLayer<>(layer);
        return linear.toInput(SignedContribution.positivePart(p, linear, relevance.get(0), stabilizer));
    }
}
