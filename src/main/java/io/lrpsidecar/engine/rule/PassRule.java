package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.List;

/**
 * The pass rule: {@code R_in = R_out}, the upper relevance unchanged (also at inactive units), given to the one input
 * that carries relevance (summed back over broadcast axes). Used for activations and BatchNorm, which keep the shape,
 * and in AttnLRP for scaling by a constant or by a value that carries no relevance (LXT treats constant factors as
 * identity). zennit {@code zennit.rules.Pass}; Anders et al., "Software for
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
        return kind == OpKind.ACTIVATION || kind == OpKind.BATCHNORM || kind == OpKind.SCALE;
    }

    @Override
    public boolean appliesTo(NodeView view) {
        return appliesTo(view.kind()) && view.carrying().cardinality() <= 1;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        List<T> result = new ArrayList<>();
        for (int i = 0; i < layer.inputs().size(); i++) {
            result.add(layer.view().carries(i) ? p.reduceSumLike(relevance.get(0), layer.input(i)) : null);
        }
        return result;
    }
}
