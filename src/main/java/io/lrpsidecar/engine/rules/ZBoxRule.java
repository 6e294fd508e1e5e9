package io.lrpsidecar.engine.rules;

import static io.lrpsidecar.engine.reference.TensorMath.multiply;
import static io.lrpsidecar.engine.reference.TensorMath.negative;
import static io.lrpsidecar.engine.reference.TensorMath.positive;
import static io.lrpsidecar.engine.reference.TensorMath.stabilizedRatio;
import static io.lrpsidecar.engine.reference.TensorMath.subtract;

import io.lrpsidecar.engine.layer.Layer;
import io.lrpsidecar.engine.layer.LayerKind;
import io.lrpsidecar.graph.Tensor;
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

    @Override
    public String name() {
        return "zbox";
    }

    @Override
    public String spec() {
        return "zbox(high=" + high.spec() + ",low=" + low.spec() + ",stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public boolean appliesTo(LayerKind kind) {
        return kind.isLinear();
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        Tensor x = layer.x();
        Tensor lowValues = low.expandTo(x.shape());
        Tensor highValues = high.expandTo(x.shape());
        Tensor w = layer.weight();
        Tensor wPos = positive(w);
        Tensor wNeg = negative(w);
        Tensor z = subtract(subtract(layer.forward(x, w, layer.bias()),
                layer.forward(lowValues, wPos, positive(layer.bias()))),
                layer.forward(highValues, wNeg, negative(layer.bias())));
        Tensor s = stabilizedRatio(relevance, z, stabilizer);
        Tensor result = subtract(subtract(multiply(x, layer.transposed(w, s)),
                multiply(lowValues, layer.transposed(wPos, s))), multiply(highValues, layer.transposed(wNeg, s)));
        return layer.toFirstInput(result);
    }
}
