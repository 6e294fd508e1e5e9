package io.lrpsidecar.graph;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the batch axis of every value lies. The input's batch axis is 0, but a Transpose can move it (as a Gemm
 * with {@code transA = 1} needs); comparing the shapes inferred for two batch sizes shows the axis that follows the
 * batch. Values whose shape cannot be inferred, or does not depend on the batch, report axis 0.
 */
public final class BatchAxes {
    private BatchAxes() {
    }

    public static Map<String, Integer> of(Graph graph, Function<Node, ShapeRule> rules) {
        Map<String, Integer> axes = new HashMap<>();
        Map<String, int[]> one;
        Map<String, int[]> two;
        try {
            one = ShapeInference.infer(graph, 2, rules);
            two = ShapeInference.infer(graph, 3, rules);
        } catch (RuntimeException unknownShapes) {
            return axes;
        }
        one.forEach((value, shape) -> {
            int[] other = two.get(value);
            if (other == null || other.length != shape.length) {
                return;
            }
            for (int axis = 0; axis < shape.length; axis++) {
                if (shape[axis] != other[axis]) {
                    axes.put(value, axis);
                    return;
                }
            }
        });
        return axes;
    }
}
