package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.List;

/**
 * The flat rule: inputs and weights replaced by ones, bias zeroed, and the result not multiplied by the input:
 * <pre>
 *   n_j = sum_i [i in receptive field of j] * 1       (real, non-padded taps only)
 *   R_i = sum_{j : i in RF(j)} R_j / stabilize(n_j)
 * </pre>
 * Lapuschkin et al., "Unmasking Clever Hans predictors and assessing what machines really learn", Nature
 * Communications 10, 2019; zennit {@code zennit.rules.Flat}.
 *
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record FlatRule(double stabilizer) implements LinearLayerRule {
    @Override
    public String name() {
        return "flat";
    }

    @Override
    public String spec() {
        return "flat(stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        LinearLayer<T> linear = new LinearLayer<>(layer);
        T ones = p.onesLike(linear.weight());
        T count = linear.forward(p.onesLike(linear.x()), ones, null);
        return linear.toInput(linear.transposed(ones,
                Stabilizer.ZENNIT.divide(p, relevance.get(0), count, stabilizer)));
    }
}
