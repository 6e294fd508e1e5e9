package io.lrpsidecar.graph;

import java.util.List;
import java.util.Map;

/** The output shapes of one operator from its input shapes and the constants known so far (ONNX's shape function). */
@FunctionalInterface
public interface ShapeRule {

    /**
     * The shape of every output of {@code node}.
     *
     * @param inputShapes the shape of each input ({@code null} for absent optional inputs)
     * @param constants   every value known at this point, by name (initializers and folded values)
     */
    List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants);
}
