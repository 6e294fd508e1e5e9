package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Window;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Conv} over one or two spatial axes with groups (depthwise included), strides, pads (explicit or
 * {@code auto_pad}) and dilations; the weight and bias are constants. The gradient is the transposed convolution.
 */
final class ConvOp implements Op {

    @Override
    public String opType() {
        return "Conv";
    }

    @Override
    public String support() {
        return "Conv (1-D, 2-D, constant weight)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        for (int index = 1; index < Math.min(3, node.inputs().size()); index++) {
            if (!node.input(index).isEmpty() && !graph.isConstant(node.input(index))) {
                return Optional.of("input " + index + " ('" + node.input(index) + "') must be a constant");
            }
        }
        return graph.initializers().get(node.input(1)).rank() > 4 ? Optional.of("only 1-D and 2-D convolutions")
                : Optional.empty();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] x = inputShapes.get(0);
        int[] w = inputShapes.get(1);
        if (w == null || w.length < 3) {
            throw new ModelLoadException("node " + node.describe() + " has no weight of rank 3 or more");
        }
        long[] kernel = Arrays.stream(w, 2, w.length).asLongStream().toArray();
        return List.of(WindowGeometry.of(node, x, kernel).outputShape(x, w[0]));
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.conv(inputs.get(0), inputs.get(1), inputs.size() > 2 ? inputs.get(2) : null,
                new Window(view.node())));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return Gradients.first(inputs.size(), p.convTransposed(outputGradients.get(0), inputs.get(1),
                new Window(view.node()), inputs.get(0)));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.CONV;
    }
}
