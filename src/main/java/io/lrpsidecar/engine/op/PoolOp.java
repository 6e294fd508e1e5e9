package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The windowed pools' shape function ({@code kernel_shape}, strides, pads, dilations, {@code ceil_mode}). */
abstract class PoolOp implements Op {

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        return node.attributes().getInts("kernel_shape").filter(kernel -> kernel.length <= 2).isPresent()
                ? Optional.empty() : Optional.of("only 1-D and 2-D pools");
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] x = inputShapes.get(0);
        long[] kernel = node.attributes().getInts("kernel_shape").orElseThrow(() -> new ModelLoadException(
                "node " + node.describe() + " has no kernel_shape"));
        return List.of(WindowGeometry.of(node, x, kernel).outputShape(x, x[1]));
    }
}
