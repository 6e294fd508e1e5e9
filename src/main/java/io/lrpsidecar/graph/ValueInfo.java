package io.lrpsidecar.graph;

import java.util.List;

/**
 * A named graph input or output with its declared type. Dimensions are given as numbers, with {@code -1} for a
 * symbolic or unknown dimension (such as a dynamic batch axis).
 *
 * @param name  the value name
 * @param type  the element type
 * @param shape the declared dimensions, {@code -1} where not fixed
 */
public record ValueInfo(String name, ElementType type, List<Integer> shape) {
    public ValueInfo {
        shape = List.copyOf(shape);
    }

    public int rank() {
        return shape.size();
    }
}
