package io.lrpsidecar.graph.rewrite;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One applied rewrite, for reports such as {@code lrp inspect}.
 *
 * @param pattern  the pattern's {@link RewritePattern#name() name}
 * @param node     the fused node's name
 * @param opType   the fused node's op type
 * @param replaced the nodes it replaced, in graph order
 */
public record Fusion(String pattern, String node, String opType, List<ReplacedNode> replaced) {

    public Fusion {
        replaced = List.copyOf(replaced);
    }

    /** One node a fusion removed. */
    public record ReplacedNode(String name, String opType) {
    }

    /** The replaced op types in graph order. */
    public List<String> replacedOpTypes() {
        return replaced.stream().map(ReplacedNode::opType).toList();
    }

    /** For example {@code '/ln1/LayerNormalization' (LayerNormalization) <- ReduceMean '/ln1/ReduceMean', ...}. */
    public String describe() {
        return "'" + node + "' (" + opType + ") <- " + replaced.stream()
                .map(replacedNode -> replacedNode.opType() + " '" + replacedNode.name() + "'")
                .collect(Collectors.joining(", "));
    }
}
