package io.lrpsidecar.engine.composite;

import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.engine.rule.Parameters;
import io.lrpsidecar.engine.rule.CallSyntax;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.engine.rule.AlphaBetaRule;
import io.lrpsidecar.engine.rule.Bound;
import io.lrpsidecar.engine.rule.EpsilonRule;
import io.lrpsidecar.engine.rule.FlatRule;
import io.lrpsidecar.engine.rule.GammaRule;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.NormRule;
import io.lrpsidecar.engine.rule.PassRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.engine.rule.WSquareRule;
import io.lrpsidecar.engine.rule.ZBoxRule;
import io.lrpsidecar.engine.rule.ZPlusRule;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Parses composite specs: a built-in name with optional parameters ({@code epsilon-gamma-box(low=0,high=1)}), or a
 * custom map ({@code first=zbox(low=0,high=1);conv=gamma(0.25);dense=epsilon(1e-6);node:fc2=epsilon(0.1)}).
 * Array-valued bounds are read through the given loader from {@code @file} references.
 */
public final class CompositeParser {
    private static final double DEFAULT_EPSILON = 1e-6;
    private static final double DEFAULT_STABILIZER = 1e-6;
    private static final double DEFAULT_GAMMA = 0.25;

    /** The built-in composite names, in the order the help lists them. */
    public static final List<String> BUILT_INS = List.of("epsilon", "zplus", "epsilon-plus", "epsilon-plus-flat",
            "epsilon-alpha2-beta1", "epsilon-alpha2-beta1-flat", "epsilon-gamma-box", "gradient", "gradient-x-input");

    /** The rule names of custom specs. */
    public static final List<String> RULES = List.of("epsilon", "zplus", "gamma", "alpha-beta", "zbox", "flat",
            "wsquare", "pass", "norm", "gradient");

    private static final List<String> CUSTOM_KEYS = List.of("first", "conv", "dense", "linear", "activation",
            "avgpool", "sum", "batchnorm");

    private final Function<String, Tensor> arrayLoader;

    /** @param arrayLoader reads the array behind an {@code @file} reference (the text after {@code @}) */
    public CompositeParser(Function<String, Tensor> arrayLoader) {
        this.arrayLoader = arrayLoader;
    }

    public Composite parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new CompositeSpecException("empty composite; expected one of " + BUILT_INS
                    + " or a custom spec such as conv=gamma(0.25);dense=epsilon(1e-6)");
        }
        return topLevelContainsEquals(spec) ? custom(spec) : builtIn(CallSyntax.parse(spec));
    }

    private static boolean topLevelContainsEquals(String spec) {
        int depth = 0;
        for (char c : spec.toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == '=' && depth == 0) {
                return true;
            }
        }
        return false;
    }

    private Composite builtIn(CallSyntax call) {
        Parameters parameters = new Parameters(call, this::bound);
        String name = call.name();
        if (!BUILT_INS.contains(name)) {
            throw new CompositeSpecException("unknown composite '" + name + "'; expected one of " + BUILT_INS
                    + " or a custom spec such as first=flat;conv=zplus;dense=epsilon(1e-6)");
        }
        if (name.startsWith("gradient")) {
            parameters.requireAllUsed();
            return gradient(name);
        }
        double stabilizer = parameters.numberOrPositional("stabilizer", name.equals("zplus") ? 0 : -1,
                DEFAULT_STABILIZER);
        Rule dense = name.equals("zplus") ? new ZPlusRule(stabilizer)
                : new EpsilonRule(parameters.numberOrPositional("epsilon", name.equals("epsilon") ? 0 : -1,
                        DEFAULT_EPSILON));
        Set<OpKind> anyLinear = Set.of(OpKind.CONV, OpKind.DENSE);
        Composite composite = switch (name) {
            case "epsilon", "zplus" -> lrp(name, null, Set.of(), dense, dense, stabilizer);
            case "epsilon-plus" -> lrp(name, null, Set.of(), new ZPlusRule(stabilizer), dense, stabilizer);
            case "epsilon-plus-flat" -> lrp(name, new FlatRule(stabilizer), anyLinear, new ZPlusRule(stabilizer),
                    dense, stabilizer);
            case "epsilon-alpha2-beta1" -> lrp(name, null, Set.of(), new AlphaBetaRule(2, 1, stabilizer), dense,
                    stabilizer);
            case "epsilon-alpha2-beta1-flat" -> lrp(name, new FlatRule(stabilizer), anyLinear,
                    new AlphaBetaRule(2, 1, stabilizer), dense, stabilizer);
            default -> lrp(name, new ZBoxRule(parameters.requiredBound("low"), parameters.requiredBound("high"),
                    stabilizer), Set.of(OpKind.CONV), new GammaRule(parameters.number("gamma", DEFAULT_GAMMA),
                    stabilizer), dense, stabilizer);
        };
        parameters.requireAllUsed();
        return composite;
    }

    private static Composite lrp(String name, Rule first, Set<OpKind> firstKinds, Rule conv, Rule dense,
            double stabilizer) {
        Map<OpKind, Rule> rules = baseMap(stabilizer);
        rules.put(OpKind.CONV, conv);
        rules.put(OpKind.DENSE, dense);
        String spec = name + canonicalParameters(first, conv, dense, stabilizer);
        return new Composite(spec, first, firstKinds, rules, Map.of(), Map.of(), Set.of(), false);
    }

    private static String canonicalParameters(Rule first, Rule conv, Rule dense, double stabilizer) {
        TreeMap<String, String> values = new TreeMap<>();
        if (dense instanceof EpsilonRule epsilonRule) {
            values.put("epsilon", number(epsilonRule.epsilon()));
        }
        if (conv instanceof GammaRule gamma) {
            values.put("gamma", number(gamma.gamma()));
        }
        if (first instanceof ZBoxRule zBox) {
            values.put("low", zBox.low().spec());
            values.put("high", zBox.high().spec());
        }
        values.put("stabilizer", number(stabilizer));
        StringBuilder text = new StringBuilder("(");
        values.forEach((key, value) -> text.append(text.length() > 1 ? "," : "").append(key).append('=')
                .append(value));
        return text.append(')').toString();
    }

    private static Composite gradient(String name) {
        Map<OpKind, Rule> rules = new EnumMap<>(OpKind.class);
        for (OpKind kind : OpKind.values()) {
            rules.put(kind, new GradientRule());
        }
        return new Composite(name, null, Set.of(), rules, Map.of(), Map.of(), Set.of(), name.equals("gradient-x-input"));
    }

    /** zennit's {@code layer_map_base}: activations and BatchNorm pass, average pools and sums get Norm. */
    private static Map<OpKind, Rule> baseMap(double stabilizer) {
        Map<OpKind, Rule> rules = new EnumMap<>(OpKind.class);
        rules.put(OpKind.ACTIVATION, new PassRule());
        rules.put(OpKind.BATCHNORM, new PassRule());
        rules.put(OpKind.AVGPOOL, new NormRule(stabilizer));
        rules.put(OpKind.SUM, new NormRule(stabilizer));
        return rules;
    }

    private Composite custom(String spec) {
        Map<OpKind, Rule> rules = baseMap(DEFAULT_STABILIZER);
        Map<String, Rule> nodeRules = new TreeMap<>();
        Map<String, Rule> given = new LinkedHashMap<>();
        Rule first = null;
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                throw new CompositeSpecException("'" + entry.trim() + "': expected key=rule with key one of "
                        + CUSTOM_KEYS + " or node:NAME");
            }
            String key = entry.substring(0, equals).trim();
            Rule rule = rule(entry.substring(equals + 1));
            if (given.put(key, rule) != null) {
                throw new CompositeSpecException("key '" + key + "' is given twice in composite '" + spec + "'");
            }
            if (key.startsWith("node:")) {
                nodeRules.put(key.substring("node:".length()), rule);
                continue;
            }
            switch (key) {
                case "first" -> first = rule;
                case "conv" -> rules.put(OpKind.CONV, rule);
                case "dense" -> rules.put(OpKind.DENSE, rule);
                case "linear" -> {
                    rules.putIfAbsent(OpKind.CONV, rule);
                    rules.putIfAbsent(OpKind.DENSE, rule);
                }
                case "activation" -> rules.put(OpKind.ACTIVATION, rule);
                case "avgpool" -> rules.put(OpKind.AVGPOOL, rule);
                case "sum" -> rules.put(OpKind.SUM, rule);
                case "batchnorm" -> rules.put(OpKind.BATCHNORM, rule);
                default -> throw new CompositeSpecException("unknown key '" + key + "' in composite '" + spec
                        + "'; expected one of " + CUSTOM_KEYS + " or node:NAME");
            }
        }
        if (given.isEmpty()) {
            throw new CompositeSpecException("composite '" + spec + "' assigns no rule");
        }
        return new Composite(canonicalCustom(first, rules, nodeRules), first,
                Set.of(OpKind.CONV, OpKind.DENSE), rules, Map.of(), nodeRules, Set.of(), false);
    }

    private static String canonicalCustom(Rule first, Map<OpKind, Rule> rules, Map<String, Rule> nodeRules) {
        List<String> parts = new ArrayList<>();
        if (first != null) {
            parts.add("first=" + first.spec());
        }
        rules.forEach((kind, rule) -> parts.add(kind.name().toLowerCase(java.util.Locale.ROOT) + "=" + rule.spec()));
        nodeRules.forEach((node, rule) -> parts.add("node:" + node + "=" + rule.spec()));
        return String.join(";", parts);
    }

    /** Parses one rule spec such as {@code gamma(0.25)} or {@code zbox(low=@low.npy,high=@high.npy)}. */
    public Rule rule(String text) {
        CallSyntax call = CallSyntax.parse(text);
        Parameters parameters = new Parameters(call, this::bound);
        Rule rule = switch (call.name()) {
            case "epsilon" -> new EpsilonRule(parameters.numberOrPositional("epsilon", 0, DEFAULT_EPSILON));
            case "zplus" -> new ZPlusRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "gamma" -> new GammaRule(parameters.numberOrPositional("gamma", 0, DEFAULT_GAMMA),
                    parameters.number("stabilizer", DEFAULT_STABILIZER));
            case "alpha-beta" -> new AlphaBetaRule(parameters.numberOrPositional("alpha", 0, 2),
                    parameters.numberOrPositional("beta", 1, 1), parameters.number("stabilizer", DEFAULT_STABILIZER));
            case "zbox" -> new ZBoxRule(parameters.boundOrPositional("low", 0),
                    parameters.boundOrPositional("high", 1), parameters.number("stabilizer", DEFAULT_STABILIZER));
            case "flat" -> new FlatRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "wsquare" -> new WSquareRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "norm" -> new NormRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "pass" -> new PassRule();
            case "gradient" -> new GradientRule();
            default -> throw new CompositeSpecException("unknown rule '" + call.name() + "'; expected one of "
                    + RULES);
        };
        parameters.requireAllUsed();
        return rule;
    }

    private Bound bound(String value) {
        if (value.startsWith("@")) {
            String file = value.substring(1);
            Tensor values = arrayLoader.apply(file);
            return new Bound(values, "@" + file + "#" + Parameters.contentHash(values));
        }
        return Bound.scalar(Parameters.parseNumber(value));
    }

    private static String number(double value) {
        return Bound.scalar(value).spec();
    }
}
