package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * The pass rule: {@code R_in = R_out}, the upper relevance unchanged (also at inactive units). Used for
 * activations and BatchNorm, which keep the shape. zennit {@code zennit.rules.Pass}; Anders et al., "Software for
 * Dataset-wide XAI: From Local Explanations to Global Insights with Zennit, CoRelAy, and ViRelAy", arXiv:2106.13200,
 * 2021.
 */
public record PassRule() implements Rule {

    @Override
    public String name() {
        return "pass";
    }

    @Override
    public String spec() {
        return "pass";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.ACTIVATION || kind == OpKind.BATCHNORM;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        return layer.toFirstInput(relevance.get(0));
    }
}
