package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.Unary;
import java.util.List;

/**
 * LRP-epsilon, for any node linear in each of its carrying inputs:
 * <pre>
 *   z_j = sum_i w_ji x_i + b_j
 *   R_i = x_i * sum_j w_ji * R_j / stabilize(z_j, eps)
 * </pre>
 * written as {@code R_i = x_i (J_i^T (R / stabilize(z)))} with the node's own vector-Jacobian product, so it serves
 * Conv and Dense layers and a MatMul whose other operand carries no relevance alike. zennit's stabilizer is
 * {@code z + eps sign0(z)}; LXT's ({@code sign=none}) is {@code z + eps}. The bias and the stabilizer absorb
 * relevance; with {@code eps = 0} this is LRP-0. Where the output is {@linkplain NodeView#reluGated gated by a
 * Relu}, the relevance is 0 wherever {@code z <= 0}, and zennit's stabilizer equals {@code max(z, 0) + eps} wherever it
 * is not, so the denominator is the Relu's own output plus {@code eps} (one pass instead of three; issue #13). Bach et al., "On Pixel-Wise Explanations for Non-Linear Classifier
 * Decisions by Layer-Wise Relevance Propagation", PLOS ONE 10(7), 2015; zennit {@code zennit.rules.Epsilon}; LXT
 * {@code linear_epsilon} (Achtibat et al., "AttnLRP", ICML 2024).
 *
 * @param epsilon    the stabilizer added to every denominator (zennit default 1e-6)
 * @param stabilizer zennit's signed stabilizer or LXT's unsigned one
 */
public record EpsilonRule(double epsilon, Stabilizer stabilizer) implements Rule {

    /** zennit's epsilon rule. */
    public EpsilonRule(double epsilon) {
        this(epsilon, Stabilizer.ZENNIT);
    }

    @Override
    public String name() {
        return "epsilon";
    }

    @Override
    public String spec() {
        return "epsilon(epsilon=" + Specs.number(epsilon) + (stabilizer == Stabilizer.LXT ? ",sign=none" : "") + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T s = stabilizer == Stabilizer.ZENNIT && layer.view().reluGated() && epsilon > 0
                ? p.div(relevance.get(0), p.add(p.unary(Unary.POSITIVE, layer.output()), p.scalar(epsilon)))
                : stabilizer.divide(p, relevance.get(0), layer.output(), epsilon);
        return layer.timesInputs(p, layer.vjp(layer.inputs(), List.of(s)));
    }
}
