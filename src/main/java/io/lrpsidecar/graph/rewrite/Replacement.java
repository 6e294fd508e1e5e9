package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What replaces a match: one fused node, which produces the anchor's output, and the constants it adds.
 *
 * @param node         the fused node
 * @param initializers new initializers by value name (names not yet used in the graph)
 */
public record Replacement(Node node, Map<String, Tensor> initializers) {

    public Replacement {
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    }

    public static Replacement of(Node node) {
        return new Replacement(node, Map.of());
    }
}
