package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.List;

/**
 * The uniform rule for an elementwise product of values that all carry relevance (gates, squeeze-excitation):
 * {@code R_i = R / n} for each of the {@code n} carrying operands, summed back over the axes an operand was broadcast
 * along. Achtibat et al., "AttnLRP", ICML 2024, Prop. 3.2 (LXT {@code mul2}: the product's relevance split evenly).
 */
public record UniformRule() implements Rule {

    @Override
    public String name() {
        return "uniform";
    }

    @Override
    public String spec() {
        return "uniform";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.PRODUCT;
    }

    @Override
    public boolean appliesTo(NodeView view) {
        return view.kind() == OpKind.PRODUCT;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T share = p.div(relevance.get(0), p.scalar(layer.view().carrying().cardinality()));
        List<T> result = new ArrayList<>();
        for (int i = 0; i < layer.inputs().size(); i++) {
            result.add(layer.view().carries(i) ? p.reduceSumLike(share, layer.input(i)) : null);
        }
        return result;
    }
}
