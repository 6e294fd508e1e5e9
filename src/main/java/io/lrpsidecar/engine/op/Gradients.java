package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for writing vector-Jacobian products. */
final class Gradients {
    private Gradients() {
    }

    /** A list of {@code size} entries holding {@code gradient} for input 0 and {@code null} for the rest. */
    static <T> List<T> first(int size, T gradient) {
        List<T> result = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            result.add(i == 0 ? gradient : null);
        }
        return result;
    }

    /** An axis attribute normalised against a rank. */
    static int axis(long axis, int rank) {
        return Shapes.axis(axis, rank);
    }

    /**
     * Sums a gradient of a broadcast result back to the shape of {@code input}: over the leading axes the input lacks
     * and over its axes of size 1 where the gradient is larger.
     */
    static <T> T sumTo(Primitives<T> p, T gradient, T input) {
        return p.reduceSumLike(gradient, input);
    }
}
