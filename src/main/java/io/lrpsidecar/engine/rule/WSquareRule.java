package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Unary.SQUARE;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.List;

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
public record WSquareRule(double stabilizer) implements Rule {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public String name() {
        return "wsquare";
    }

    @Override
    public String spec() {
        return "wsquare(stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        Tensor squared = P.unary(SQUARE, layer.weight());
        Tensor z = layer.forward(P.onesLike(layer.x()), squared, P.unary(SQUARE, layer.bias()));
        return layer.toFirstInput(layer.transposed(squared, Stabilizer.ZENNIT.divide(P, relevance, z, stabilizer)));
    }
}
