package io.lrpsidecar.engine.rules;

import static io.lrpsidecar.engine.reference.TensorMath.add;
import static io.lrpsidecar.engine.reference.TensorMath.multiply;
import static io.lrpsidecar.engine.reference.TensorMath.negative;
import static io.lrpsidecar.engine.reference.TensorMath.positive;
import static io.lrpsidecar.engine.reference.TensorMath.scale;
import static io.lrpsidecar.engine.reference.TensorMath.stabilize;
import static io.lrpsidecar.engine.reference.TensorMath.zerosLike;

import io.lrpsidecar.engine.layer.Layer;
import io.lrpsidecar.engine.layer.LayerKind;
import io.lrpsidecar.engine.reference.TensorMath;
import io.lrpsidecar.graph.Tensor;
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
 * An output with {@code o_j = 0} passes no relevance. Montavon et al., "Layer-Wise Relevance Propagation: An
 * Overview", in Explainable AI, LNCS 11700, 2019; zennit {@code zennit.rules.Gamma}.
 *
 * @param gamma      the boost of the positive (or negative) part
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record GammaRule(double gamma, double stabilizer) implements Rule {

    @Override
    public String name() {
        return "gamma";
    }

    @Override
    public String spec() {
        return "gamma(gamma=" + Specs.number(gamma) + ",stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public boolean appliesTo(LayerKind kind) {
        return kind.isLinear();
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        Tensor w = layer.weight();
        Tensor b = layer.bias();
        Tensor wp = add(w, scale(positive(w), gamma));
        Tensor bp = add(b, scale(positive(b), gamma));
        Tensor wn = add(w, scale(negative(w), gamma));
        Tensor bn = add(b, scale(negative(b), gamma));
        Tensor xPos = positive(layer.x());
        Tensor xNeg = negative(layer.x());
        Tensor noBias = zerosLike(b);
        Tensor original = layer.forward(layer.x(), w, b);
        Tensor zp = add(layer.forward(xPos, wp, bp), layer.forward(xNeg, wn, noBias));
        Tensor zn = add(layer.forward(xPos, wn, bn), layer.forward(xNeg, wp, noBias));
        Tensor sp = masked(relevance, stabilize(zp, stabilizer), original, true);
        Tensor sn = masked(relevance, stabilize(zn, stabilizer), original, false);
        Tensor result = add(add(multiply(xPos, layer.transposed(wp, sp)), multiply(xNeg, layer.transposed(wn, sp))),
                add(multiply(xPos, layer.transposed(wn, sn)), multiply(xNeg, layer.transposed(wp, sn))));
        return layer.toFirstInput(result);
    }

    /** {@code [o > 0] R / d} (or {@code [o < 0]}), with the mask applied before dividing. */
    private static Tensor masked(Tensor relevance, Tensor denominator, Tensor original, boolean positiveSide) {
        double[] r = relevance.asDoubles();
        double[] d = denominator.asDoubles();
        double[] o = original.asDoubles();
        double[] out = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            boolean selected = positiveSide ? o[i] > 0 : o[i] < 0;
            out[i] = selected ? r[i] / d[i] : 0;
        }
        return TensorMath.zerosLike(relevance).withValues(out);
    }
}
