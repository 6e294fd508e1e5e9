package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeRule;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Applies rewrite patterns to a graph until none matches. Candidate anchors are tried from the graph's end
 * backwards, so that the largest form of a pattern (a LayerNorm with its affine {@code Mul} and {@code Add}) is
 * found before a smaller form inside it; after each rewrite the graph is indexed afresh. Every rewrite replaces two
 * or more nodes by one, so the loop ends. After a rewrite the graph is {@link Graph#pruned() pruned}, which drops the
 * constants ({@code Constant} nodes and initializers) that only the replaced nodes read.
 */
public final class PatternRewriter {

    /** The patterns of the canonical graph, in the order they are tried on each anchor. */
    public static final List<RewritePattern> ALL = List.of(new LayerNormPattern(), new GeluErfPattern(),
            new GeluTanhPattern(), new SiluPattern());

    private PatternRewriter() {
    }

    /**
     * A rewritten graph and what was fused.
     *
     * @param graph   the graph after rewriting (the input graph itself when nothing matched)
     * @param fusions the applied rewrites in the order of the fused nodes in the graph
     */
    public record Rewritten(Graph graph, List<Fusion> fusions) {
        public Rewritten {
            fusions = List.copyOf(fusions);
        }
    }

    /** Applies {@link #ALL}, with the operators' shape rules for the shapes patterns check. */
    public static Rewritten rewrite(Graph graph, Function<Node, ShapeRule> shapeRules) {
        return rewrite(graph, ALL, shapeRules);
    }

    public static Rewritten rewrite(Graph graph, List<RewritePattern> patterns, Function<Node, ShapeRule> shapeRules) {
        Graph current = graph;
        List<Fusion> fusions = new ArrayList<>();
        Optional<Rewritten> step;
        while ((step = rewriteOnce(current, patterns, shapeRules)).isPresent()) {
            current = step.get().graph();
            fusions.addAll(step.get().fusions());
        }
        List<String> order = current.nodes().stream().map(Node::name).toList();
        fusions.sort(Comparator.comparingInt(fusion -> order.indexOf(fusion.node())));
        return new Rewritten(current, fusions);
    }

    private static Optional<Rewritten> rewriteOnce(Graph graph, List<RewritePattern> patterns,
            Function<Node, ShapeRule> shapeRules) {
        GraphView view = new GraphView(graph, shapeRules);
        List<Node> nodes = graph.nodes();
        for (int index = nodes.size() - 1; index >= 0; index--) {
            for (RewritePattern pattern : patterns) {
                Optional<Match> match = pattern.match(view, nodes.get(index));
                if (match.isPresent() && pattern.check(view, match.get())) {
                    return Optional.of(replace(graph, pattern, match.get(), pattern.rewrite(view, match.get())));
                }
            }
        }
        return Optional.empty();
    }

    private static Rewritten replace(Graph graph, RewritePattern pattern, Match match, Replacement replacement) {
        Node fused = replacement.node();
        if (!fused.outputs().equals(match.anchor().outputs())) {
            throw new IllegalStateException("pattern " + pattern.name() + " must keep the output "
                    + match.anchor().outputs() + " of " + match.anchor().describe() + ", its node "
                    + fused.describe() + " produces " + fused.outputs());
        }
        Set<Node> matched = Collections.newSetFromMap(new IdentityHashMap<>());
        matched.addAll(match.nodes().values());
        List<Node> nodes = new ArrayList<>();
        List<Fusion.ReplacedNode> replaced = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node == match.anchor()) {
                nodes.add(fused);
            }
            if (matched.contains(node)) {
                replaced.add(new Fusion.ReplacedNode(node.name(), node.opType()));
            } else {
                nodes.add(node);
            }
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        initializers.putAll(replacement.initializers());
        Graph rewritten = graph.with(nodes, initializers).pruned();
        return new Rewritten(rewritten, List.of(new Fusion(pattern.name(), fused.name(), fused.opType(), replaced)));
    }
}
