package io.lrpsidecar.engine.composite;

import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.Rule;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param opRules         rules per op type ({@code op:Softmax=...}), before the kind's rule
 * @param nodeRules       rules for single nodes by name
 * @param held            kinds whose outputs are held constant: no relevance flows through them (CP-LRP holds the
 *                        attention softmax)
 * @param multiplyByInput whether the input relevance is multiplied by the input at the end (gradient x input)
 */
public record Composite(String spec, Rule firstRule, Set<OpKind> firstKinds, Map<OpKind, Rule> kindRules,
        Map<String, Rule> opRules, Map<String, Rule> nodeRules, Set<OpKind> held, boolean multiplyByInput) {

    public Composite {
        firstKinds = Set.copyOf(firstKinds);
        opRules = Collections.unmodifiableMap(new LinkedHashMap<>(opRules));
        held = held.isEmpty() ? Set.of() : Collections.unmodifiableSet(java.util.EnumSet.copyOf(held));
        kindRules = Collections.unmodifiableMap(new EnumMap<>(kindRules.isEmpty()
                ? new EnumMap<>(OpKind.class) : kindRules));
        nodeRules = Collections.unmodifiableMap(new LinkedHashMap<>(nodeRules));
    }

    /**
     * The rule of every node, by node name, given the nodes' views in topological order. Fails when a node override
     * names no node or a rule is given to a node it cannot apply to.
     */
    public Map<String, Rule> assign(Map<String, NodeView> views) {
        for (Map.Entry<String, Rule> override : nodeRules.entrySet()) {
            NodeView view = views.get(override.getKey());
            if (view == null) {
                throw new CompositeSpecException("composite names node '" + override.getKey()
                        + "', which the model does not have; nodes: " + List.copyOf(views.keySet()));
            }
            requireApplicable(override.getValue(), view);
        }
        Map<String, Rule> assignment = new LinkedHashMap<>();
        boolean firstTaken = firstRule == null;
        for (NodeView view : views.values()) {
            OpKind kind = view.kind();
            Rule rule = nodeRules.get(view.node().name());
            if (!firstTaken && firstKinds.contains(kind)) {
                firstTaken = true;
                rule = rule != null ? rule : firstRule;
            }
            if (rule == null) {
                rule = opRules.get(view.node().opType());
            }
            if (rule == null) {
                rule = kindRules.getOrDefault(kind, new GradientRule());
            }
            requireApplicable(rule, view);
            assignment.put(view.node().name(), rule);
        }
        return assignment;
    }

    private static void requireApplicable(Rule rule, NodeView view) {
        if (!rule.appliesTo(view)) {
            throw new CompositeSpecException("rule " + rule.spec() + " cannot be applied to node "
                    + view.node().describe() + " of kind " + view.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
