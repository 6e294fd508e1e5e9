package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import java.util.BitSet;
import java.util.List;
import java.util.function.Predicate;

/** {@code Mul}: {@code y = a b}; gradients {@code g b} and {@code g a}. */
final class MulOp extends ArithmeticOp {

    @Override
    public String opType() {
        return "Mul";
    }

    @Override
    <T> T apply(Primitives<T> p, T a, T b) {
        return p.mul(a, b);
    }

    @Override
    <T> List<T> gradients(Primitives<T> p, T a, T b, T g) {
        return List.of(p.mul(g, b), p.mul(g, a));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return carrying.cardinality() == 2 ? OpKind.PRODUCT : OpKind.SCALE;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0)) && nonNegativeConstant(graph, node.input(1));
    }
}
