package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import java.util.BitSet;
import java.util.List;

/** {@code Sub}: {@code y = a - b}; gradients {@code g} and {@code -g}. */
final class SubOp extends ArithmeticOp {

    @Override
    public String opType() {
        return "Sub";
    }

    @Override
    <T> T apply(Primitives<T> p, T a, T b) {
        return p.sub(a, b);
    }

    @Override
    <T> List<T> gradients(Primitives<T> p, T a, T b, T g) {
        return List.of(g, p.unary(Unary.NEG, g));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return carrying.cardinality() == 2 ? OpKind.SUM : OpKind.SCALE;
    }
}
