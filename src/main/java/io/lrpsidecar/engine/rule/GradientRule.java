package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * The plain gradient: {@code R_in = J_f^T R}. What zennit applies to every module without a rule (MaxPool:
 * winner takes all; reshapes: a reshape; scaling by a constant: the scaling), and what the {@code gradient} and
 * {@code gradient-x-input} references apply everywhere.
 */
public record GradientRule() implements Rule {

    @Override
    public String name() {
        return "gradient";
    }

    @Override
    public String spec() {
        return "gradient";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return true;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        return layer.vjp(layer.inputs(), relevance);
    }
}
