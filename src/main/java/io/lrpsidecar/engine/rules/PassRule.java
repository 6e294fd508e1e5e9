package io.lrpsidecar.engine.rules;

import io.lrpsidecar.engine.layer.Layer;
import io.lrpsidecar.engine.layer.LayerKind;
import io.lrpsidecar.graph.Tensor;
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
    public boolean appliesTo(LayerKind kind) {
        return kind == LayerKind.ACTIVATION || kind == LayerKind.BATCHNORM;
    }

    @Override
    public List<Tensor> propagate(Layer layer, Tensor relevance) {
        return layer.toFirstInput(relevance);
    }
}
