package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SiLU (swish with β = 1), {@code out = x · σ(x)}, exported as {@code Mul(x, Sigmoid(x))} in either operand order,
 * becomes one {@code Silu(x)} of {@link Node#LRP_DOMAIN}: ONNX has no such operator before {@code Swish} of opset 24.
 *
 * <p>Check: {@code x} is no constant and the Sigmoid's output is read by this Mul only.
 */
public final class SiluPattern implements RewritePattern {

    @Override
    public String name() {
        return "Silu";
    }

    @Override
    public Optional<Match> match(GraphView graph, Node anchor) {
        if (!anchor.opType().equals("Mul") || !anchor.domain().isEmpty() || anchor.inputs().size() != 2) {
            return Optional.empty();
        }
        for (int sigmoidIndex = 0; sigmoidIndex < 2; sigmoidIndex++) {
            String x = anchor.input(1 - sigmoidIndex);
            Optional<Node> sigmoid = graph.producer(anchor.input(sigmoidIndex), "Sigmoid")
                    .filter(node -> node.input(0).equals(x));
            if (sigmoid.isPresent()) {
                Map<String, Node> nodes = new LinkedHashMap<>();
                nodes.put("mul", anchor);
                nodes.put("sigmoid", sigmoid.get());
                return Optional.of(new Match(anchor, nodes, Map.of("x", x)));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean check(GraphView graph, Match match) {
        return graph.readOnlyWithin(match) && graph.constant(match.value("x")).isEmpty();
    }

    @Override
    public Replacement rewrite(GraphView graph, Match match) {
        return Replacement.of(new Node(graph.fusedNodeName(match, "Silu"), "Silu", Node.LRP_DOMAIN,
                List.of(match.value("x")), List.of(match.anchor().output()), Attributes.NONE));
    }
}
