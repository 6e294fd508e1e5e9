package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Flatten}, {@code Reshape}, {@code Squeeze} and {@code Unsqueeze}: the same values in a new shape; the
 * gradient is reshaped back. The target is the node's static output shape with the batch axis left open, so it holds
 * for every batch size.
 */
final class ReshapingOp extends MoveOp {
    private final String opType;

    private ReshapingOp(String opType) {
        this.opType = opType;
    }

    static List<ReshapingOp> all() {
        return List.of(new ReshapingOp("Flatten"), new ReshapingOp("Reshape"), new ReshapingOp("Squeeze"),
                new ReshapingOp("Unsqueeze"));
    }

    @Override
    public String opType() {
        return opType;
    }

    @Override
    public Optional<String> refusal(Node node, io.lrpsidecar.graph.Graph graph) {
        boolean needsConstant = opType.equals("Reshape") || (!opType.equals("Flatten") && node.inputs().size() > 1
                && !node.input(1).isEmpty());
        return needsConstant && !graph.isConstant(node.input(1))
                ? Optional.of("input 1 ('" + node.input(1) + "') must be a constant") : Optional.empty();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0);
        return List.of(switch (opType) {
            case "Flatten" -> ShapeFunctions.flatten(node, shape);
            case "Reshape" -> ShapeFunctions.reshape(node, shape,
                    ShapeInference.constantInput(node, 1, constants).asLongs());
            case "Squeeze" -> ShapeFunctions.squeeze(node, shape, axes(node, constants));
            default -> ShapeFunctions.unsqueeze(shape, axes(node, constants));
        });
    }

    private static long[] axes(Node node, Map<String, Tensor> constants) {
        if (node.inputs().size() > 1 && !node.input(1).isEmpty()) {
            return ShapeInference.constantInput(node, 1, constants).asLongs();
        }
        long[] axes = node.attributes().getInts("axes").orElse(null);
        if (axes == null && node.opType().equals("Unsqueeze")) {
            throw new ModelLoadException("node " + node.describe() + " has no axes");
        }
        return axes;
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.reshape(inputs.get(0), view.batchAgnosticShape(0)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return Gradients.first(inputs.size(), p.reshapeLike(outputGradients.get(0), inputs.get(0)));
    }
}
