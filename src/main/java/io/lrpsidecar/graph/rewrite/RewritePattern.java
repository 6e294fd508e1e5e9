package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Node;
import java.util.Optional;

/**
 * One rewrite: a decomposition an exporter produces and the single node that replaces it. The rewriter calls the
 * three steps in order for every candidate anchor, and rewrites only when both {@link #match} and {@link #check}
 * accept.
 */
public interface RewritePattern {

    /** A short name for reports, such as {@code LayerNorm}. */
    String name();

    /**
     * The structure of the pattern ending at {@code anchor} (the node whose output the fused node will produce):
     * op types and wiring only, no numbers.
     *
     * @return the matched nodes and the values they bind, or empty when the structure differs
     */
    Optional<Match> match(GraphView graph, Node anchor);

    /**
     * The conditions a structural match must meet to be replaced: constants equal to the formula's within float32
     * rounding, and intermediate values read by no node outside the match.
     */
    boolean check(GraphView graph, Match match);

    /** The replacement of a checked match: the fused node and the initializers it adds. */
    Replacement rewrite(GraphView graph, Match match);
}
