package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import java.util.BitSet;
import java.util.function.Predicate;

/**
 * An op that only moves, copies or selects values of its first input: kind {@code MOVE} (the plain gradient, a
 * permutation, in every built-in composite), and a non-negative input gives a non-negative output.
 */
abstract class MoveOp implements Op {

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.MOVE;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0));
    }
}
