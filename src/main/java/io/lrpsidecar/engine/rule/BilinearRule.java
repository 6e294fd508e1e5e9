package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.List;

/**
 * AttnLRP's rule for a product of two values that both carry relevance, {@code Z = A B} (a MatMul such as
 * {@code Q K^T} or {@code A V}): the epsilon rule on each operand with the relevance split evenly,
 * <pre>
 *   S = R / (2 Z + eps),   R_A = A * (S B^T),   R_B = B * (A^T S)
 * </pre>
 * written as {@code R_i = x_i J_i^T S} with the node's own vector-Jacobian product and {@code k Z} in the denominator
 * for {@code k} carrying operands. Achtibat et al., "AttnLRP: Attention-Aware Layer-Wise Relevance Propagation for
 * Transformers", ICML 2024, Prop. 3.3; LXT {@code lxt.explicit.functional.matmul} (unsigned stabilizer).
 *
 * @param epsilon the stabilizer (LXT default 1e-8)
 */
public record BilinearRule(double epsilon) implements Rule {

    @Override
    public String name() {
        return "bilinear";
    }

    @Override
    public String spec() {
        return "bilinear(epsilon=" + Specs.number(epsilon) + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.MATMUL;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T shared = p.mul(layer.output(), p.scalar(layer.view().carrying().cardinality()));
        T s = Stabilizer.LXT.divide(p, relevance.get(0), shared, epsilon);
        return layer.timesInputs(p, layer.vjp(layer.inputs(), List.of(s)));
    }
}
