package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import java.util.function.Predicate;

/** {@code Relu}: {@code y = max(x, 0)}, gradient {@code g [x > 0]}. */
final class ReluOp extends UnaryOp {

    @Override
    public String opType() {
        return "Relu";
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return p.unary(Unary.POSITIVE, x);
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        return p.where(p.compare(Comparison.GT, x, p.scalar(0)), g, p.scalar(0));
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return true;
    }
}
