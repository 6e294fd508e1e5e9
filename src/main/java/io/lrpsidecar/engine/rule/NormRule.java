package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.ArrayList;
import java.util.List;

/**
 * The norm rule for parameter-free layers (average pools, the residual sum), with {@code f} the layer's own
 * function:
 * <pre>
 *   R_i = x_i * (J_f^T (R / stabilize(f(x))))_i
 * </pre>
 * For an average pool the stabilizer acts on the mean; for a residual sum {@code a + b} it gives
 * {@code R_a = a R / stab(a + b)} and {@code R_b = b R / stab(a + b)}. zennit {@code zennit.rules.Norm}; Anders et
 * al., arXiv:2106.13200, 2021.
 *
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 */
public record NormRule(double stabilizer) implements Rule {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public String name() {
        return "norm";
    }

    @Override
    public String spec() {
        return "norm(stabilizer=" + Specs.number(stabilizer) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.AVGPOOL || kind == OpKind.SUM;
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        List<Tensor> gradients = layer.gradient(Stabilizer.ZENNIT.divide(P, relevance, layer.output(), stabilizer));
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
            boolean activation = layer.activations().get(i);
            result.add(activation && gradients.get(i) != null ? P.mul(layer.inputs().get(i), gradients.get(i))
                    : null);
        }
        return result;
    }
}
