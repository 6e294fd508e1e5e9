package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;

/** {@code LeakyRelu}: {@code y = x} for {@code x >= 0}, else {@code alpha x} (default 0.01). */
final class LeakyReluOp extends UnaryOp {

    @Override
    public String opType() {
        return "LeakyRelu";
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return p.where(p.compare(Comparison.GE, x, p.scalar(0)), x, p.mul(x, p.scalar(alpha(node))));
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        return p.where(p.compare(Comparison.GT, x, p.scalar(0)), g, p.mul(g, p.scalar(alpha(node))));
    }

    private static double alpha(Node node) {
        return node.attributes().getFloat("alpha", 0.01);
    }
}
