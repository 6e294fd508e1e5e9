package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Comparison.GT;
import static io.lrpsidecar.tensor.Comparison.LT;
import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;

import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * The generalized gamma rule (zennit's form, the whole weight plus a boost of one sign):
 * <pre>
 *   Wp = W + gamma W+,  bp = b + gamma b+        Wn = W + gamma W-,  bn = b + gamma b-
 *   o_j  = (W x + b)_j                           (only its sign is used)
 *   zp_j = (Wp x+ + bp)_j + (Wn x-)_j            zn_j = (Wn x+ + bn)_j + (Wp x-)_j
 *   sp_j = [o_j > 0] R_j / stab(zp_j)            sn_j = [o_j < 0] R_j / stab(zn_j)
 *   R_i  = x+_i (Wp^T sp)_i + x-_i (Wn^T sp)_i + x+_i (Wn^T sn)_i + x-_i (Wp^T sn)_i
 * </pre>
 * An output with {@code o_j = 0} passes no relevance. Where the input is known to be non-negative ({@code x- = 0}),
 * the same values follow from {@code z = o} and {@code p = W+ x} alone, with two transposed passes:
 * <pre>
 *   zp = z + gamma (p + b+),   zn = z + gamma (z - b - p + b-)
 *   R  = x (W^T (sp + (1 + gamma) sn) + W+^T (gamma (sp - sn)))
 * </pre>
 * (one transposed pass over the stacked weights and signals where the layer is not grouped).
 * Where moreover the output is {@linkplain NodeView#reluGated gated by a Relu}, {@code R_j = 0} wherever
 * {@code o_j <= 0}, so {@code sn = 0}, and where {@code o_j > 0}, {@code zp_j >= o_j > 0} takes zennit's stabilizer
 * {@code zp + eps}; one forward and one transposed pass with {@code Wp} remain:
 * <pre>
 *   R = x (Wp^T (R / (max(Wp x + bp, 0) + eps)))
 * </pre>
 * (the {@code max} keeps the denominator of the outputs that pass nothing away from 0). Montavon et al., "Layer-Wise Relevance Propagation: An
 * Overview", in Explainable AI, LNCS 11700, 2019; zennit {@code zennit.rules.Gamma}.
 *
 * @param gamma      the boost of the positive (or negative) part
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record GammaRule(double gamma, double stabilizer) implements LinearLayerRule {
    @Override
    public String name() {
        return "gamma";
    }

    @Override
    public String spec() {
        return "gamma(gamma=" + Specs.number(gamma) + ",stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        LinearLayer<T> linear = new LinearLayer<>(layer);
        T r = relevance.get(0);
        return linear.toInput(linear.nonNegativeInput() ? nonNegativeInput(p, linear, r) : anyInput(p, linear, r));
    }

    private <T> T nonNegativeInput(Primitives<T> p, LinearLayer<T> layer, T r) {
        if (layer.layer().view().reluGated() && stabilizer > 0) {
            T wp = p.add(layer.weight(), p.mul(p.unary(POSITIVE, layer.weight()), p.scalar(gamma)));
            T bp = p.add(layer.bias(), p.mul(p.unary(POSITIVE, layer.bias()), p.scalar(gamma)));
            T denominator = p.add(p.unary(POSITIVE, layer.forward(layer.x(), wp, bp)), p.scalar(stabilizer));
            return p.mul(layer.x(), layer.transposed(wp, p.div(r, denominator)));
        }
        T z = layer.layer().output();
        T x = layer.x();
        T g = p.scalar(gamma);
        T wPos = p.unary(POSITIVE, layer.weight());
        T positive = layer.forward(x, wPos, null);
        T zp = p.add(z, p.mul(g, p.add(positive, layer.outputBias(p, p.unary(POSITIVE, layer.bias())))));
        T withoutPositive = p.sub(p.sub(z, layer.outputBias(p, layer.bias())), positive);
        T zn = p.add(z, p.mul(g, p.add(withoutPositive, layer.outputBias(p, p.unary(NEGATIVE, layer.bias())))));
        T sp = masked(p, r, zp, z, true);
        T sn = masked(p, r, zn, z, false);
        return p.mul(x, layer.transposedSum(p, List.of(layer.weight(), wPos),
                List.of(p.add(sp, p.mul(sn, p.scalar(1 + gamma))), p.mul(g, p.sub(sp, sn)))));
    }

    private <T> T anyInput(Primitives<T> p, LinearLayer<T> layer, T r) {
        T w = layer.weight();
        T b = layer.bias();
        T g = p.scalar(gamma);
        T wp = p.add(w, p.mul(p.unary(POSITIVE, w), g));
        T bp = p.add(b, p.mul(p.unary(POSITIVE, b), g));
        T wn = p.add(w, p.mul(p.unary(NEGATIVE, w), g));
        T bn = p.add(b, p.mul(p.unary(NEGATIVE, b), g));
        T xPos = p.unary(POSITIVE, layer.x());
        T xNeg = p.sub(layer.x(), xPos);
        T original = layer.layer().output();
        T zp = p.add(layer.forward(xPos, wp, bp), layer.forward(xNeg, wn, null));
        T zn = p.add(layer.forward(xPos, wn, bn), layer.forward(xNeg, wp, null));
        T sp = masked(p, r, zp, original, true);
        T sn = masked(p, r, zn, original, false);
        T positiveInputs = p.add(layer.transposed(wp, sp), layer.transposed(wn, sn));
        T negativeInputs = p.add(layer.transposed(wn, sp), layer.transposed(wp, sn));
        return p.add(p.mul(xPos, positiveInputs), p.mul(xNeg, negativeInputs));
    }

    /** {@code [o > 0] R / stab(z)} (or {@code [o < 0]}): zero where the output has the other sign. */
    private <T> T masked(Primitives<T> p, T relevance, T z, T original, boolean positiveSide) {
        T selected = p.compare(positiveSide ? GT : LT, original, p.scalar(0));
        return p.where(selected, Stabilizer.ZENNIT.divide(p, relevance, z, stabilizer), p.scalar(0));
    }
}
