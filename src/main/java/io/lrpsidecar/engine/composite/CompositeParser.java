package io.lrpsidecar.engine.composite;

import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.engine.rule.Parameters;
import io.lrpsidecar.engine.rule.CallSyntax;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.engine.rule.AlphaBetaRule;
import io.lrpsidecar.engine.rule.BilinearRule;
import io.lrpsidecar.engine.rule.LayerNormRule;
import io.lrpsidecar.engine.rule.MeanRule;
import io.lrpsidecar.engine.rule.SoftmaxRule;
import io.lrpsidecar.engine.rule.UniformRule;
import io.lrpsidecar.tensor.Stabilizer;
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
import java.util.EnumSet;
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
            "epsilon-alpha2-beta1", "epsilon-alpha2-beta1-flat", "epsilon-gamma-box", "attnlrp", "cp-lrp", "gradient",
            "gradient-x-input");

    /** The rule names of custom specs. */
    public static final List<String> RULES = List.of("epsilon", "zplus", "gamma", "alpha-beta", "zbox", "flat",
            "wsquare", "pass", "norm", "bilinear", "softmax", "layernorm", "mean", "uniform", "gradient");

    private static final List<String> CUSTOM_KEYS = List.of("first", "conv", "dense", "linear", "activation",
            "avgpool", "sum", "batchnorm", "matmul", "product", "softmax", "layernorm", "mean", "scale", "move",
            "maxpool", "hold");

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
        if (name.equals("attnlrp") || name.equals("cp-lrp")) {
            parameters.requireAllUsed();
            return attnLrp(name);
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
        rules.put(OpKind.LAYERNORM, new LayerNormRule(1e-6));
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

    /**
     * AttnLRP (Achtibat et al., ICML 2024) with LXT's unsigned stabilizers and eps values: epsilon 1e-6 on linear
     * layers, the bilinear rule (1e-8) on products of two carrying values, the softmax and LayerNorm (1e-6) rules,
     * {@code add2} (norm, 1e-8) on sums and masks, the mean rule (1e-6), identity on activations and constant
     * scaling, the uniform split on elementwise products, and the gradient (a permutation) on movement. CP-LRP holds
     * the attention softmax, so a product {@code A V} passes all of its relevance to {@code V}.
     */
    private static Composite attnLrp(String name) {
        Map<OpKind, Rule> rules = new EnumMap<>(OpKind.class);
        Rule linear = new EpsilonRule(1e-6, Stabilizer.LXT);
        rules.put(OpKind.CONV, linear);
        rules.put(OpKind.DENSE, linear);
        rules.put(OpKind.MATMUL, new BilinearRule(1e-8));
        rules.put(OpKind.SOFTMAX, new SoftmaxRule());
        rules.put(OpKind.LAYERNORM, new LayerNormRule(1e-6));
        rules.put(OpKind.ACTIVATION, new PassRule());
        rules.put(OpKind.BATCHNORM, new PassRule());
        rules.put(OpKind.SCALE, new PassRule());
        rules.put(OpKind.SUM, new NormRule(1e-8, Stabilizer.LXT));
        rules.put(OpKind.AVGPOOL, new NormRule(1e-6, Stabilizer.LXT));
        rules.put(OpKind.MEAN, new MeanRule(1e-6));
        rules.put(OpKind.PRODUCT, new UniformRule());
        Set<OpKind> held = name.equals("cp-lrp") ? Set.of(OpKind.SOFTMAX) : Set.of();
        return new Composite(name, null, Set.of(), rules, Map.of(), Map.of(), held, false);
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

    /**
     * A custom map, optionally on top of a built-in: {@code attnlrp;dense=gamma(0.25)} starts from AttnLRP and
     * overrides the dense rule. Keys: a kind, {@code first}, {@code linear} (conv and dense), {@code op:OPTYPE},
     * {@code node:NAME}, and {@code hold=KIND[,KIND]} (no relevance through those kinds).
     */
    private Composite custom(String spec) {
        String[] entries = spec.split(";");
        Composite base = null;
        int firstEntry = 0;
        if (!entries[0].isBlank() && !topLevelContainsEquals(entries[0])) {
            base = builtIn(CallSyntax.parse(entries[0].trim()));
            firstEntry = 1;
        }
        Map<OpKind, Rule> rules = base != null ? new EnumMap<>(base.kindRules()) : baseMap(DEFAULT_STABILIZER);
        Map<String, Rule> opRules = new TreeMap<>(base != null ? base.opRules() : Map.of());
        Map<String, Rule> nodeRules = new TreeMap<>();
        Set<OpKind> held = base != null && !base.held().isEmpty() ? EnumSet.copyOf(base.held())
                : EnumSet.noneOf(OpKind.class);
        Map<String, String> given = new LinkedHashMap<>();
        Rule first = base != null ? base.firstRule() : null;
        for (int index = firstEntry; index < entries.length; index++) {
            String entry = entries[index];
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                throw new CompositeSpecException("'" + entry.trim() + "': expected key=rule with key one of "
                        + CUSTOM_KEYS + ", op:OPTYPE or node:NAME (a built-in composite may only come first)");
            }
            String key = entry.substring(0, equals).trim();
            String value = entry.substring(equals + 1).trim();
            if (key.equals("hold")) {
                held.clear();
                for (String kind : value.split(",")) {
                    held.add(kind(kind.trim(), spec));
                }
                given.put(key, String.join(",", held.stream().map(CompositeParser::keyOf).toList()));
                continue;
            }
            Rule rule = rule(value);
            if (given.put(key, rule.spec()) != null) {
                throw new CompositeSpecException("key '" + key + "' is given twice in composite '" + spec + "'");
            }
            if (key.startsWith("node:")) {
                nodeRules.put(key.substring("node:".length()), rule);
            } else if (key.startsWith("op:")) {
                opRules.put(key.substring("op:".length()), rule);
            } else if (key.equals("first")) {
                first = rule;
            } else if (key.equals("linear")) {
                for (OpKind kind : List.of(OpKind.CONV, OpKind.DENSE)) {
                    if (!given.containsKey(keyOf(kind))) {
                        rules.put(kind, rule);
                    }
                }
            } else {
                rules.put(kind(key, spec), rule);
            }
        }
        if (given.isEmpty() && base == null) {
            throw new CompositeSpecException("composite '" + spec + "' assigns no rule");
        }
        String canonical = base != null ? base.spec() + given.entrySet().stream()
                .map(entry -> ";" + entry.getKey() + "=" + entry.getValue()).reduce("", String::concat)
                : canonicalCustom(first, rules, nodeRules);
        return new Composite(canonical, first, Set.of(OpKind.CONV, OpKind.DENSE), rules, opRules, nodeRules, held,
                base != null && base.multiplyByInput());
    }

    private static OpKind kind(String key, String spec) {
        for (OpKind kind : OpKind.values()) {
            if (keyOf(kind).equals(key)) {
                return kind;
            }
        }
        throw new CompositeSpecException("unknown key '" + key + "' in composite '" + spec + "'; expected one of "
                + CUSTOM_KEYS + ", op:OPTYPE or node:NAME");
    }

    private static String keyOf(OpKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
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
            case "epsilon" -> new EpsilonRule(parameters.numberOrPositional("epsilon", 0, DEFAULT_EPSILON),
                    parameters.stabilizerForm());
            case "zplus" -> new ZPlusRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "gamma" -> new GammaRule(parameters.numberOrPositional("gamma", 0, DEFAULT_GAMMA),
                    parameters.number("stabilizer", DEFAULT_STABILIZER));
            case "alpha-beta" -> new AlphaBetaRule(parameters.numberOrPositional("alpha", 0, 2),
                    parameters.numberOrPositional("beta", 1, 1), parameters.number("stabilizer", DEFAULT_STABILIZER));
            case "zbox" -> new ZBoxRule(parameters.boundOrPositional("low", 0),
                    parameters.boundOrPositional("high", 1), parameters.number("stabilizer", DEFAULT_STABILIZER));
            case "flat" -> new FlatRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "wsquare" -> new WSquareRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER));
            case "norm" -> new NormRule(parameters.numberOrPositional("stabilizer", 0, DEFAULT_STABILIZER),
                    parameters.stabilizerForm());
            case "bilinear" -> new BilinearRule(parameters.numberOrPositional("epsilon", 0, 1e-8));
            case "softmax" -> new SoftmaxRule();
            case "layernorm" -> new LayerNormRule(parameters.numberOrPositional("epsilon", 0, 1e-6));
            case "mean" -> new MeanRule(parameters.numberOrPositional("epsilon", 0, 1e-6));
            case "uniform" -> new UniformRule();
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
