package io.lrpsidecar.engine;

import io.lrpsidecar.engine.rule.AlphaBetaRule;
import io.lrpsidecar.engine.rule.EpsilonRule;
import io.lrpsidecar.engine.rule.GammaRule;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.NormRule;
import io.lrpsidecar.engine.rule.PassRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.engine.rule.ZPlusRule;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Relu gates ({@link NodeView#reluGated}) hold under a composite's rules. The relevance reaching a Relu's
 * input {@code z} is zero wherever {@code z <= 0} when the Relu's rule is its gradient ({@code g [z > 0]}), or when it
 * passes relevance unchanged (zennit's Pass on activations) and what reaches its output {@code a} is zero wherever
 * {@code a = 0}. That holds when every reader of {@code a} gives each input relevance proportional to the input's
 * value (epsilon, z+, gamma, alpha-beta, norm: {@code R_i = x_i c_i}), or only moves or routes relevance (the
 * gradient of MaxPool, Pad, Slice, Concat, Split and the reshaping ops) to readers that do. A flat, w-square, box or uniform
 * rule above a Relu gives relevance to inactive units, and then the gate is dropped.
 */
final class ReluGates {
    private static final Set<String> MOVING = Set.of("MaxPool", "Reshape", "Flatten", "Transpose", "Identity",
            "Squeeze", "Unsqueeze", "Pad", "Slice", "Concat", "Split");

    private ReluGates() {
    }

    static Map<String, NodeView> underRules(Graph graph, Map<String, NodeView> views, Map<String, Rule> rules) {
        Map<String, List<Node>> readers = new HashMap<>();
        for (Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                readers.computeIfAbsent(input, key -> new ArrayList<>()).add(node);
            }
        }
        Set<String> outputs = new java.util.HashSet<>(graph.outputs().stream().map(ValueInfo::name).toList());
        Map<String, Boolean> proportional = new HashMap<>();
        Map<String, NodeView> result = new LinkedHashMap<>();
        for (Map.Entry<String, NodeView> entry : views.entrySet()) {
            NodeView view = entry.getValue();
            boolean holds = view.reluGated() && readers.getOrDefault(view.node().output(), List.of()).stream()
                    .allMatch(relu -> gives(rules.get(relu.name()), relu, readers, outputs, rules, proportional));
            result.put(entry.getKey(), holds || !view.reluGated() ? view : view.withoutReluGate());
        }
        return result;
    }

    /** Whether a Relu under this rule passes nothing to its input where the input is not positive. */
    private static boolean gives(Rule rule, Node relu, Map<String, List<Node>> readers, Set<String> outputs,
            Map<String, Rule> rules, Map<String, Boolean> proportional) {
        return rule instanceof GradientRule
                || rule instanceof PassRule && proportional(relu.output(), readers, outputs, rules, proportional);
    }

    /** Whether the relevance reaching {@code value} is zero wherever the value is zero. */
    private static boolean proportional(String value, Map<String, List<Node>> readers, Set<String> outputs,
            Map<String, Rule> rules, Map<String, Boolean> memo) {
        Boolean known = memo.get(value);
        if (known != null) {
            return known;
        }
        memo.put(value, false);
        boolean result = !outputs.contains(value);
        for (Node reader : readers.getOrDefault(value, List.of())) {
            Rule rule = rules.get(reader.name());
            boolean timesInput = rule instanceof EpsilonRule || rule instanceof ZPlusRule || rule instanceof GammaRule
                    || rule instanceof AlphaBetaRule || rule instanceof NormRule;
            boolean moves = rule instanceof GradientRule && MOVING.contains(reader.opType())
                    && proportional(reader.output(), readers, outputs, rules, memo);
            result &= timesInput || moves;
        }
        memo.put(value, result);
        return result;
    }
}
