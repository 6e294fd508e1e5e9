package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
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
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        List<Tensor> gradients = layer.gradient(relevance);
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < layer.inputs().size(); i++) {
            result.add(layer.activations().get(i) && i < gradients.size() ? gradients.get(i) : null);
        }
        return result;
    }
}
