package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * AttnLRP's softmax rule, the Taylor decomposition of the softmax at its input {@code x} (the scaled scores, masks
 * included):
 * <pre>
 *   R_x = x * (R - y * sum_k R_k)       (sum along the softmax axis)
 * </pre>
 * where the output {@code y} is exactly 0 (a masked key, {@code x = -inf} or far below the rest) the relevance is 0,
 * which LXT's formula gives for finite masks and which avoids {@code -inf * 0} for infinite ones. Achtibat et al.,
 * "AttnLRP", ICML 2024, Prop. 3.1; LXT {@code lxt.explicit.functional.softmax}.
 */
public record SoftmaxRule() implements Rule {

    @Override
    public String name() {
        return "softmax";
    }

    @Override
    public String spec() {
        return "softmax";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.SOFTMAX;
    }

    @Override
    public boolean appliesTo(NodeView view) {
        return appliesTo(view.kind()) && view.node().opType().equals("Softmax");
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T x = layer.input(0);
        T y = layer.output();
        T r = relevance.get(0);
        int axis = Shapes.axis(layer.view().node().attributes().getInt("axis", -1), p.rank(x));
        T total = p.reduceSum(r, new int[] {axis}, true);
        T spread = p.mul(x, p.sub(r, p.mul(y, total)));
        return layer.toFirstInput(p.where(p.compare(Comparison.EQ, y, p.scalar(0)), p.scalar(0), spread));
    }
}
