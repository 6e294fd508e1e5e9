package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.List;

/**
 * LRP-epsilon:
 * <pre>
 *   z_j = sum_i w_ji x_i + b_j
 *   R_i = x_i * sum_j w_ji * R_j / stabilize(z_j, eps),   stabilize(z, eps) = z + eps * sign0(z)
 * </pre>
 * The bias and the stabilizer absorb relevance. With {@code eps = 0} this is LRP-0.
 * Bach et al., "On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation",
 * PLOS ONE 10(7), 2015; zennit {@code zennit.rules.Epsilon}.
 *
 * @param epsilon the stabilizer added to the magnitude of every denominator (zennit default 1e-6)
 */
public record EpsilonRule(double epsilon) implements Rule {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public String name() {
        return "epsilon";
    }

    @Override
    public String spec() {
        return "epsilon(epsilon=" + Specs.number(epsilon) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        Tensor z = layer.forward(layer.x(), layer.weight(), layer.bias());
        Tensor s = Stabilizer.ZENNIT.divide(P, relevance, z, epsilon);
        return layer.toFirstInput(P.mul(layer.x(), layer.transposed(layer.weight(), s)));
    }
}
