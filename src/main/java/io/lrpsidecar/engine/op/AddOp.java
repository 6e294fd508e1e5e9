package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;
import java.util.function.Predicate;

/** {@code Add}: {@code y = a + b}; both gradients are {@code g}. */
final class AddOp extends ArithmeticOp {

    @Override
    public String opType() {
        return "Add";
    }

    @Override
    <T> T apply(Primitives<T> p, T a, T b) {
        return p.add(a, b);
    }

    @Override
    <T> List<T> gradients(Primitives<T> p, T a, T b, T g) {
        return List.of(g, g);
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0)) && nonNegative.test(node.input(1));
    }
}
