package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four broadcasting arithmetic ops. Both operands are data unless the op is a division (the divisor is not).
 * Kinds: a constant operand makes the op a scaling ({@code SCALE}); otherwise {@code Add} and {@code Sub} are sums
 * ({@code SUM}: the residual, or a mask added to scores) and {@code Mul} of two carrying values is a product
 * ({@code PRODUCT}, as squeeze-excitation gates and GLUs are).
 */
abstract class ArithmeticOp implements Op {

    abstract <T> T apply(Primitives<T> p, T a, T b);

    /** The gradients of both operands at the broadcast shape, before summing back to each operand's shape. */
    abstract <T> List<T> gradients(Primitives<T> p, T a, T b, T g);

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(Shapes.broadcast(inputShapes.get(0), inputShapes.get(1)));
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        return graph.isConstant(node.input(0)) && graph.isConstant(node.input(1))
                ? Optional.of("both inputs are constants") : Optional.empty();
    }

    @Override
    public BitSet dataInputs(Node node) {
        BitSet data = new BitSet();
        data.set(0, 2);
        return data;
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(apply(p, inputs.get(0), inputs.get(1)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        List<T> gradients = gradients(p, inputs.get(0), inputs.get(1), outputGradients.get(0));
        List<T> result = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            boolean wanted = dataInputs(view.node()).get(i) && gradients.get(i) != null;
            result.add(wanted ? Gradients.sumTo(p, gradients.get(i), inputs.get(i)) : null);
        }
        return result;
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return graph.isConstant(node.input(0)) || graph.isConstant(node.input(1)) ? OpKind.SCALE : OpKind.SUM;
    }

    /** Whether a constant operand holds only non-negative values. */
    static boolean nonNegativeConstant(Graph graph, String value) {
        return graph.constant(value).map(c -> Arrays.stream(c.asDoubles()).allMatch(v -> v >= 0)).orElse(false);
    }
}
