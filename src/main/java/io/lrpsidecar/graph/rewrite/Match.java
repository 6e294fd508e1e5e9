package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Node;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A structural match of a pattern.
 *
 * @param anchor the node producing the pattern's output, which the fused node's output replaces
 * @param nodes  every matched node (the anchor included) by its role in the pattern, such as {@code "pow"}
 * @param values the values the pattern binds by role, such as {@code "x"} or {@code "epsilon"}
 */
public record Match(Node anchor, Map<String, Node> nodes, Map<String, String> values) {

    public Match {
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The node matched in a role; the role must exist. */
    public Node node(String role) {
        Node node = nodes.get(role);
        if (node == null) {
            throw new IllegalArgumentException("no node in role '" + role + "', roles are " + nodes.keySet());
        }
        return node;
    }

    /** The value bound to a role; the role must exist. */
    public String value(String role) {
        String value = values.get(role);
        if (value == null) {
            throw new IllegalArgumentException("no value in role '" + role + "', roles are " + values.keySet());
        }
        return value;
    }

    public boolean hasNode(String role) {
        return nodes.containsKey(role);
    }
}
