package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.List;

/**
 * The z^B (box) rule for a first layer whose inputs lie in {@code [L, H]}:
 * <pre>
 *   z_j = (W x + b)_j - (W+ L + b+)_j - (W- H + b-)_j
 *   s_j = R_j / stabilize(z_j)
 *   R_i = x_i (W^T s)_i - L_i (W+^T s)_i - H_i (W-^T s)_i
 * </pre>
 * For a padded convolution, L and H are padded with zeros like x. Montavon et al., "Explaining nonlinear
 * classification decisions with deep Taylor decomposition", Pattern Recognition 65, 2017; zennit
 * {@code zennit.rules.ZBox}.
 *
 * @param low        the lower bound of the input
 * @param high       the upper bound of the input
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record ZBoxRule(Bound low, Bound high, double stabilizer) implements Rule {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public String name() {
        return "zbox";
    }

    @Override
    public String spec() {
        return "zbox(high=" + high.spec() + ",low=" + low.spec() + ",stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        Tensor x = layer.x();
        Tensor lowValues = low.expandTo(x.shape());
        Tensor highValues = high.expandTo(x.shape());
        Tensor w = layer.weight();
        Tensor wPos = P.unary(POSITIVE, w);
        Tensor wNeg = P.unary(NEGATIVE, w);
        Tensor z = P.sub(P.sub(layer.forward(x, w, layer.bias()),
                layer.forward(lowValues, wPos, P.unary(POSITIVE, layer.bias()))),
                layer.forward(highValues, wNeg, P.unary(NEGATIVE, layer.bias())));
        Tensor s = Stabilizer.ZENNIT.divide(P, relevance, z, stabilizer);
        Tensor result = P.sub(P.sub(P.mul(x, layer.transposed(w, s)),
                P.mul(lowValues, layer.transposed(wPos, s))), P.mul(highValues, layer.transposed(wNeg, s)));
        return layer.toFirstInput(result);
    }
}
