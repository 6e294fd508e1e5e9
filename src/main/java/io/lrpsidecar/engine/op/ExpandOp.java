package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Expand} to a constant shape (numpy broadcasting of the data against it), and the engine's own
 * {@code BatchExpand}, which {@code graph.ConstantFolder} makes of an {@code Expand} whose shape follows the batch size
 * (ViT's {@code class_token.expand(n, -1, -1)}): its shape has 1 on the batch axis ({@code batch_axis}) and its third
 * input is the model input, whose axis 0 gives the batch size at run time. The data is input 0; the shape and the
 * model input never carry relevance, so a constant class token is a constant branch (it receives none). Kind
 * {@code MOVE}: the gradient sums the copies back ({@code reduceSumLike}).
 */
final class ExpandOp extends MoveOp {
    private final boolean toBatch;

    private ExpandOp(boolean toBatch) {
        this.toBatch = toBatch;
    }

    static ExpandOp expand() {
        return new ExpandOp(false);
    }

    static ExpandOp batchExpand() {
        return new ExpandOp(true);
    }

    @Override
    public String opType() {
        return toBatch ? "BatchExpand" : "Expand";
    }

    @Override
    public String domain() {
        return toBatch ? Node.LRP_DOMAIN : "";
    }

    @Override
    public String support() {
        return toBatch ? "BatchExpand (an Expand to the batch size, folded)" : "Expand (constant shape)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        return graph.isConstant(node.input(1)) ? Optional.empty()
                : Optional.of("input 1 ('" + node.input(1) + "') must be a constant");
    }

    private static int[] target(Node node, Tensor shape) {
        return Arrays.stream(shape.asLongs()).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        Tensor shape = constants.get(node.input(1));
        if (shape == null) {
            throw new io.lrpsidecar.graph.ModelLoadException("node " + node.describe()
                    + " needs a constant shape, found a value computed at run time");
        }
        int[] out = Shapes.broadcast(inputShapes.get(0), target(node, shape));
        if (toBatch) {
            out[(int) node.attributes().getInt("batch_axis", 0)] = inputShapes.get(2)[0];
        }
        return List.of(out);
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T data = inputs.get(0);
        int[] shape = Shapes.broadcast(view.inputShape(0), target(view.node(), view.constant(1)));
        T y = Arrays.equals(shape, view.inputShape(0)) ? data : p.add(data, p.constant(Tensor.zeros(shape)));
        if (toBatch) {
            y = p.add(y, batchZeros(p, view, inputs.get(2), shape.length));
        }
        return List.of(y);
    }

    /**
     * Zeros of shape {@code [1, .., batch, .., 1]} (the batch on {@code batch_axis}), the batch read from axis 0 of
     * the model input: adding them broadcasts a value to the batch at hand.
     */
    private static <T> T batchZeros(Primitives<T> p, NodeView view, T modelInput, int rank) {
        int inputRank = p.rank(modelInput);
        int[] rest = new int[inputRank - 1];
        for (int axis = 1; axis < inputRank; axis++) {
            rest[axis - 1] = axis;
        }
        T perRow = rest.length == 0 ? modelInput : p.reduceSum(modelInput, rest, false);
        long[] target = new long[rank];
        Arrays.fill(target, 1);
        target[(int) view.node().attributes().getInt("batch_axis", 0)] = -1;
        return p.reshape(p.mul(perRow, p.scalar(0)), target);
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return Gradients.first(inputs.size(), Gradients.sumTo(p, outputGradients.get(0), inputs.get(0)));
    }
}
