package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code Pad} with zeros (mode constant, value 0); the gradient crops the padding away (the negated pads). */
final class PadOp extends MoveOp {

    @Override
    public String opType() {
        return "Pad";
    }

    @Override
    public String support() {
        return "Pad (constant zero)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        if (!node.attributes().getString("mode", "constant").equals("constant")) {
            return Optional.of("only constant (zero) padding");
        }
        if (present(node, 1) && !graph.isConstant(node.input(1))) {
            return Optional.of("pads must be a constant");
        }
        if (present(node, 2) && graph.constant(node.input(2)).map(value -> value.sum() != 0).orElse(true)) {
            return Optional.of("only zero padding");
        }
        if (node.attributes().getFloat("value", 0) != 0) {
            return Optional.of("only zero padding");
        }
        return Optional.empty();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0);
        return List.of(ShapeFunctions.pad(shape, pads(node, shape.length, constants)));
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        T x = inputs.get(0);
        return List.of(p.pad(x, pads(view, p.rank(x))));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        long[] cropping = Arrays.stream(pads(view, p.rank(inputs.get(0)))).map(pad -> -pad).toArray();
        return Gradients.first(inputs.size(), p.pad(outputGradients.get(0), cropping));
    }

    private static long[] pads(NodeView view, int rank) {
        Map<String, Tensor> constants = new java.util.HashMap<>();
        for (int i = 1; i < view.node().inputs().size(); i++) {
            if (view.constant(i) != null) {
                constants.put(view.node().input(i), view.constant(i));
            }
        }
        return pads(view.node(), rank, constants);
    }

    private static long[] pads(Node node, int rank, Map<String, Tensor> constants) {
        long[] values = present(node, 1) ? ShapeInference.constantInput(node, 1, constants).asLongs()
                : node.attributes().getInts("pads").orElseThrow(() -> new ModelLoadException(
                        "node " + node.describe() + " has no pads"));
        long[] axes = present(node, 3) ? ShapeInference.constantInput(node, 3, constants).asLongs() : null;
        return ShapeFunctions.pads(node, rank, values, axes);
    }

    private static boolean present(Node node, int index) {
        return node.inputs().size() > index && !node.input(index).isEmpty();
    }
}
