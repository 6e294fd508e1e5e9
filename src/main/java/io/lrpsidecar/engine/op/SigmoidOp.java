package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import java.util.function.Predicate;

/** {@code Sigmoid}: {@code y = 1 / (1 + e^-x)}, gradient {@code g y (1 - y)}. */
final class SigmoidOp extends UnaryOp {

    @Override
    public String opType() {
        return "Sigmoid";
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return p.unary(Unary.SIGMOID, x);
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        return p.mul(g, p.mul(y, p.sub(p.scalar(1), y)));
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return true;
    }
}
