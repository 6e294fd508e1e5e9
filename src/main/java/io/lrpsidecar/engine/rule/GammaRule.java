package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Comparison.GT;
import static io.lrpsidecar.tensor.Comparison.LT;
import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
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
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public String name() {
        return "gamma";
    }

    @Override
    public String spec() {
        return "gamma(gamma=" + Specs.number(gamma) + ",stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        Tensor w = layer.weight();
        Tensor b = layer.bias();
        Tensor wp = P.add(w, P.mul(P.unary(POSITIVE, w), P.scalar(gamma)));
        Tensor bp = P.add(b, P.mul(P.unary(POSITIVE, b), P.scalar(gamma)));
        Tensor wn = P.add(w, P.mul(P.unary(NEGATIVE, w), P.scalar(gamma)));
        Tensor bn = P.add(b, P.mul(P.unary(NEGATIVE, b), P.scalar(gamma)));
        Tensor xPos = P.unary(POSITIVE, layer.x());
        Tensor xNeg = P.unary(NEGATIVE, layer.x());
        Tensor noBias = P.zerosLike(b);
        Tensor original = layer.forward(layer.x(), w, b);
        Tensor zp = P.add(layer.forward(xPos, wp, bp), layer.forward(xNeg, wn, noBias));
        Tensor zn = P.add(layer.forward(xPos, wn, bn), layer.forward(xNeg, wp, noBias));
        Tensor sp = masked(relevance, Stabilizer.ZENNIT.stabilize(P, zp, stabilizer), original, true);
        Tensor sn = masked(relevance, Stabilizer.ZENNIT.stabilize(P, zn, stabilizer), original, false);
        Tensor result = P.add(P.add(P.mul(xPos, layer.transposed(wp, sp)), P.mul(xNeg, layer.transposed(wn, sp))),
                P.add(P.mul(xPos, layer.transposed(wn, sn)), P.mul(xNeg, layer.transposed(wp, sn))));
        return layer.toFirstInput(result);
    }

    /** {@code [o > 0] R / d} (or {@code [o < 0]}): zero where the output has the other sign. */
    private static Tensor masked(Tensor relevance, Tensor denominator, Tensor original, boolean positiveSide) {
        Tensor selected = P.compare(positiveSide ? GT : LT, original, P.scalar(0));
        return P.where(selected, P.div(relevance, denominator), P.zerosLike(relevance));
    }
}
