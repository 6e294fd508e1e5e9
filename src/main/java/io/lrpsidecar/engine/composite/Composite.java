package io.lrpsidecar.engine.composite;

import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which rule each layer gets, as in zennit's {@code SpecialFirstLayerMapComposite}: node overrides first, then the
 * first-layer rule for the first node (in topological order) whose kind is in {@code firstKinds}, then the rule of
 * the node's kind; a node matched by nothing gets the plain gradient.
 *
 * @param spec            the canonical spec string (all parameters spelled out)
 * @param firstRule       the rule of the first layer, or {@code null}
 * @param firstKinds      the kinds that count as "first layer"
 * @param kindRules       the rule per layer kind
 * @param nodeRules       rules for single nodes by name
 * @param multiplyByInput whether the input relevance is multiplied by the input at the end (gradient x input)
 */
public record Composite(String spec, Rule firstRule, Set<OpKind> firstKinds, Map<OpKind, Rule> kindRules,
        Map<String, Rule> nodeRules, boolean multiplyByInput) {

    public Composite {
        firstKinds = Set.copyOf(firstKinds);
        kindRules = Collections.unmodifiableMap(new EnumMap<>(kindRules.isEmpty()
                ? new EnumMap<>(OpKind.class) : kindRules));
        nodeRules = Collections.unmodifiableMap(new LinkedHashMap<>(nodeRules));
    }

    /**
     * The rule of every node of a canonical graph, by node name. Fails when a node override names no node or a
     * rule is given to a layer it cannot apply to.
     */
    public Map<String, Rule> assign(Graph graph) {
        for (Map.Entry<String, Rule> override : nodeRules.entrySet()) {
            Node node = graph.node(override.getKey()).orElseThrow(() -> new CompositeSpecException(
                    "composite names node '" + override.getKey() + "', which the model does not have; nodes: "
                            + graph.nodes().stream().map(Node::name).toList()));
            requireApplicable(override.getValue(), node, OpKind.of(node, graph));
        }
        Map<String, Rule> assignment = new LinkedHashMap<>();
        boolean firstTaken = firstRule == null;
        for (Node node : graph.nodes()) {
            OpKind kind = OpKind.of(node, graph);
            Rule rule = nodeRules.get(node.name());
            if (!firstTaken && firstKinds.contains(kind)) {
                firstTaken = true;
                rule = rule != null ? rule : firstRule;
            }
            if (rule == null) {
                rule = kindRules.getOrDefault(kind, new GradientRule());
            }
            requireApplicable(rule, node, kind);
            assignment.put(node.name(), rule);
        }
        return assignment;
    }

    private static void requireApplicable(Rule rule, Node node, OpKind kind) {
        if (!rule.appliesTo(kind)) {
            throw new CompositeSpecException("rule " + rule.spec() + " cannot be applied to node " + node.describe()
                    + " of kind " + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
