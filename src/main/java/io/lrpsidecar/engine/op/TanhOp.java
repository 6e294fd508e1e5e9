package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;

/** {@code Tanh}: {@code y = tanh(x)}, gradient {@code g (1 - y^2)}. */
final class TanhOp extends UnaryOp {

    @Override
    public String opType() {
        return "Tanh";
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return p.unary(Unary.TANH, x);
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        return p.mul(g, p.sub(p.scalar(1), p.mul(y, y)));
    }
}
