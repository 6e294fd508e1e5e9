package io.lrpsidecar.engine;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import java.util.List;
import java.util.Optional;

/**
 * Where the relevance of a token model is read: {@code h0}, the embedding that enters the first block. It is the
 * output of the {@code Gather} that looks the token ids up in a constant table, plus every embedding added to it
 * (positions, token types) before the first node that is not such an {@code Add}; the backward pass stops there and
 * token relevance is {@code h0}'s relevance summed over the hidden axis (AttnLRP, Achtibat et al., ICML 2024, §3.4).
 */
public final class TokenRoot {
    private TokenRoot() {
    }

    /** The name of {@code h0} for a graph whose input {@code ids} holds token ids. */
    public static String of(Graph graph, String ids) {
        Node lookup = graph.consumers(ids).stream()
                .filter(node -> node.opType().equals("Gather") && node.inputs().size() > 1
                        && node.input(1).equals(ids) && graph.isConstant(node.input(0)))
                .findFirst()
                .orElseThrow(() -> new ModelLoadException("expected the token ids '" + ids + "' to be looked up in "
                        + "a constant embedding table by a Gather, found readers " + graph.consumers(ids).stream()
                        .map(Node::describe).toList()));
        String value = lookup.output();
        Optional<Node> next;
        while ((next = embeddingAdd(graph, value, ids)).isPresent()) {
            value = next.get().output();
        }
        return value;
    }

    /** The single reader of {@code value} when it adds an embedding that does not depend on the ids. */
    private static Optional<Node> embeddingAdd(Graph graph, String value, String ids) {
        List<Node> readers = graph.consumers(value);
        if (readers.size() != 1 || !readers.get(0).opType().equals("Add")) {
            return Optional.empty();
        }
        Node add = readers.get(0);
        String other = add.input(0).equals(value) ? add.input(1) : add.input(0);
        return isEmbedding(graph, other, ids) ? Optional.of(add) : Optional.empty();
    }

    /** A constant, or a lookup of a constant table by indices that do not depend on the ids. */
    private static boolean isEmbedding(Graph graph, String value, String ids) {
        if (graph.isConstant(value)) {
            return true;
        }
        return graph.producer(value).filter(node -> node.opType().equals("Gather") && graph.isConstant(node.input(0))
                && !node.input(1).equals(ids) && graph.isConstant(node.input(1))).isPresent();
    }
}
