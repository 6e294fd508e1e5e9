package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;

/**
 * {@code HardSwish}: {@code y = x h(x)} with {@code h(x) = max(0, min(1, x / 6 + 1/2))}, gradient
 * {@code g (h(x) + x / 6)} where {@code -3 < x < 3}, {@code g h(x)} elsewhere (Howard et al., "Searching for
 * MobileNetV3", ICCV 2019). An activation: its default rule is {@code pass} (identity), as zennit's composites give
 * every {@code zennit.types.Activation}, {@code Hardswish} included, and as LXT treats elementwise activations.
 */
final class HardSwishOp extends UnaryOp {
    private static final double ALPHA = 1.0 / 6.0;
    private static final double BETA = 0.5;

    @Override
    public String opType() {
        return "HardSwish";
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return p.mul(x, HardSigmoidOp.clip01(p, HardSigmoidOp.affine(p, x, ALPHA, BETA)));
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        T z = HardSigmoidOp.affine(p, x, ALPHA, BETA);
        T slope = p.add(HardSigmoidOp.clip01(p, z),
                p.mul(p.mul(x, p.scalar(ALPHA)), HardSigmoidOp.linearPart(p, z)));
        return p.mul(g, slope);
    }
}
