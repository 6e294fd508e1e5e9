package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * The alpha-beta rule, with {@code alpha - beta = 1}:
 * <pre>
 *   z+_j = sum_i (w+_ji x+_i + w-_ji x-_i) + b+_j
 *   z-_j = sum_i (w-_ji x+_i + w+_ji x-_i) + b-_j
 *   R_i  = alpha * [x+_i sum_j w+_ji R_j / stab(z+_j) + x-_i sum_j w-_ji R_j / stab(z+_j)]
 *        - beta  * [x+_i sum_j w-_ji R_j / stab(z-_j) + x-_i sum_j w+_ji R_j / stab(z-_j)]
 * </pre>
 * Bach et al., PLOS ONE 10(7), 2015; zennit {@code zennit.rules.AlphaBeta}.
 *
 * @param alpha      weight of the positive contributions
 * @param beta       weight of the negative contributions
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record AlphaBetaRule(double alpha, double beta, double stabilizer) implements LinearLayerRule {
    public AlphaBetaRule {
        if (alpha < 0 || beta < 0 || Math.abs(alpha - beta - 1) > 1e-12) {
            throw new IllegalArgumentException("alpha-beta needs alpha - beta = 1 and both >= 0, found alpha="
                    + Specs.number(alpha) + ", beta=" + Specs.number(beta));
        }
    }

    @Override
    public String name() {
        return "alpha-beta";
    }

    @Override
    public String spec() {
        return "alpha-beta(alpha=" + Specs.number(alpha) + ",beta=" + Specs.number(beta) + ",stabilizer="
                + Specs.number(stabilizer) + ")";
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        LinearLayer<T> linear = new LinearLayer<>(layer);
        T positivePart = SignedContribution.positivePart(p, linear, relevance.get(0), stabilizer);
        T negativePart = SignedContribution.negativePart(p, linear, relevance.get(0), stabilizer);
        T alphaPart = alpha == 1.0 ? positivePart : p.mul(positivePart, p.scalar(alpha));
        return linear.toInput(beta == 0.0 ? alphaPart : p.sub(alphaPart, p.mul(negativePart, p.scalar(beta))));
    }
}
