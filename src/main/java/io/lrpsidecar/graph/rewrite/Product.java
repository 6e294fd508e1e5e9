package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Node;
import java.util.List;

/**
 * The factors of a product of {@code Mul} nodes, see {@link GraphView#product}.
 *
 * @param factors the value names multiplied, in operand order (a value squared appears twice)
 * @param nodes   the {@code Mul} nodes computing the product, the root first
 */
public record Product(List<String> factors, List<Node> nodes) {

    public Product {
        factors = List.copyOf(factors);
        nodes = List.copyOf(nodes);
    }
}
