package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;

import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * The z^B (box) rule for a first layer whose inputs lie in {@code [L, H]}:
 * <pre>
 *   z_j = (W x + b)_j - (W+ L + b+)_j - (W- H + b-)_j
 *   s_j = R_j / stabilize(z_j)
 *   R_i = x_i (W^T s)_i - L_i (W+^T s)_i - H_i (W-^T s)_i
 * </pre>
 * computed as {@code R_i = (x_i - H_i) (W^T s)_i - (L_i - H_i) (W+^T s)_i} (as {@code W- = W - W+}), two transposed
 * passes. For a padded convolution, L and H are padded with zeros like x. Montavon et al., "Explaining nonlinear
 * classification decisions with deep Taylor decomposition", Pattern Recognition 65, 2017; zennit
 * {@code zennit.rules.ZBox}.
 *
 * @param low        the lower bound of the input
 * @param high       the upper bound of the input
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record ZBoxRule(Bound low, Bound high, double stabilizer) implements LinearLayerRule {
    @Override
    public String name() {
        return "zbox";
    }

    @Override
    public String spec() {
        return "zbox(high=" + high.spec() + ",low=" + low.spec() + ",stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        LinearLayer<T> linear = new LinearLayer<>(layer);
        T x = linear.x();
        T lowValues = low.over(p, x);
        T highValues = high.over(p, x);
        T w = linear.weight();
        T wPos = p.unary(POSITIVE, w);
        T boundTerms = p.add(linear.forward(lowValues, wPos, p.unary(POSITIVE, linear.bias())),
                linear.forward(highValues, p.unary(NEGATIVE, w), p.unary(NEGATIVE, linear.bias())));
        T s = Stabilizer.ZENNIT.divide(p, relevance.get(0), p.sub(layer.output(), boundTerms), stabilizer);
        T result = p.sub(p.mul(p.sub(x, highValues), linear.transposed(w, s)),
                p.mul(p.sub(lowValues, highValues), linear.transposed(wPos, s)));
        return linear.toInput(result);
    }
}
