package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.List;
import static io.lrpsidecar.tensor.Unary.SQUARE;


/**
 * The w^2 rule: inputs replaced by ones and every parameter squared (the bias too, as zennit does), the result not
 * multiplied by the input:
 * <pre>
 *   z_j = sum_i w_ji^2 + b_j^2
 *   R_i = sum_j w_ji^2 R_j / stabilize(z_j)
 * </pre>
 * Montavon et al., "Explaining nonlinear classification decisions with deep Taylor decomposition", Pattern
 * Recognition 65, 2017; zennit {@code zennit.rules.WSquare}.
 *
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record WSquareRule(double stabilizer) implements LinearLayerRule {
    @Override
    public String name() {
        return "wsquare";
    }

    @Override
    public String spec() {
        return "wsquare(stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        LinearLayer<T> linear = new LinearLayer<>(layer);
        T squared = p.unary(SQUARE, linear.weight());
        T z = linear.forward(p.onesLike(linear.x()), squared, p.unary(SQUARE, linear.bias()));
        return linear.toInput(linear.transposed(squared,
                Stabilizer.ZENNIT.divide(p, relevance.get(0), z, stabilizer)));
    }
}
