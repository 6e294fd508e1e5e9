package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code Div}: {@code y = a / b}, a scaling of the data {@code a}; the divisor is not data (relevance never flows
 * into a normaliser). Gradient {@code g / b}.
 */
final class DivOp extends ArithmeticOp {

    @Override
    public String opType() {
        return "Div";
    }

    @Override
    public String support() {
        return "Div (of an activation)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        return graph.isConstant(node.input(0)) ? Optional.of("only division of an activation")
                : Optional.empty();
    }

    @Override
    public BitSet dataInputs(Node node) {
        BitSet data = new BitSet();
        data.set(0);
        return data;
    }

    @Override
    <T> T apply(Primitives<T> p, T a, T b) {
        return p.div(a, b);
    }

    @Override
    <T> List<T> gradients(Primitives<T> p, T a, T b, T g) {
        return java.util.Arrays.asList(p.div(g, b), null);
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.SCALE;
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return nonNegative.test(node.input(0)) && nonNegativeConstant(graph, node.input(1));
    }
}
