package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tanh approximation of GELU, {@code out = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))}, as exporters
 * write it:
 * <pre>
 *   c = x³ as Pow(x, 3) or as the product x · x · x      t = Tanh(√(2/π) · Add(x, 0.044715 · c))
 *   out = the product of x, Add(t, 1) and 0.5 in any association and operand order
 * </pre>
 * PyTorch 1.13 ({@code nn.GELU(approximate="tanh")}) gives {@code Mul(0.5, Mul(x, Add(1, Tanh(Mul(√(2/π),
 * Add(x, Mul(0.044715, Mul(x, Mul(x, x)))))))))}; the {@code Pow(x, 3)} form is that of {@code torch.pow} in
 * hand-written GELUs. Either becomes one ONNX {@code Gelu(x)} with {@code approximate = "tanh"}.
 *
 * <p>Check: the constants are 0.5, 1, √(2/π) and 0.044715 within float32 rounding, the exponent is exactly 3, and no
 * intermediate value leaves the pattern.
 */
public final class GeluTanhPattern implements RewritePattern {
    private static final double SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double KAPPA = 0.044715;

    @Override
    public String name() {
        return "GeluTanh";
    }

    @Override
    public Optional<Match> match(GraphView graph, Node anchor) {
        if (!anchor.opType().equals("Mul") || !anchor.domain().isEmpty()) {
            return Optional.empty();
        }
        Product outer = graph.product(anchor);
        if (outer.factors().size() != 3) {
            return Optional.empty();
        }
        for (String factor : outer.factors()) {
            Optional<Match> match = matchWithOnePlusTanh(graph, anchor, outer, factor);
            if (match.isPresent()) {
                return match;
            }
        }
        return Optional.empty();
    }

    private static Optional<Match> matchWithOnePlusTanh(GraphView graph, Node anchor, Product outer,
            String onePlusTanh) {
        Optional<Node> add = graph.producer(onePlusTanh, "Add");
        Optional<GraphView.Operands> one = add.flatMap(graph::splitConstant);
        Optional<Node> tanh = one.flatMap(operands -> graph.producer(operands.value(), "Tanh"));
        Optional<Product> inner = tanh.flatMap(node -> graph.producer(node.input(0), "Mul")).map(graph::product);
        if (inner.isEmpty() || inner.get().factors().size() != 2) {
            return Optional.empty();
        }
        List<String> rest = new ArrayList<>(outer.factors());
        rest.remove(onePlusTanh);
        String half = rest.stream().filter(factor -> graph.constant(factor).isPresent()).findFirst().orElse(null);
        if (half == null || !rest.remove(half)) {
            return Optional.empty();
        }
        String x = rest.get(0);
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        addAll(nodes, "outer", outer);
        nodes.put("add", add.get());
        nodes.put("tanh", tanh.get());
        addAll(nodes, "inner", inner.get());
        if (!matchInner(graph, inner.get(), x, nodes, values)) {
            return Optional.empty();
        }
        values.put("x", x);
        values.put("half", half);
        values.put("one", one.get().constant());
        return Optional.of(new Match(anchor, nodes, values));
    }

    /** {@code √(2/π) · Add(x, 0.044715 · x³)}, the operand of the Tanh, given as the factors of a product. */
    private static boolean matchInner(GraphView graph, Product inner, String x, Map<String, Node> nodes,
            Map<String, String> values) {
        List<String> factors = inner.factors();
        int constantIndex = graph.constant(factors.get(0)).isPresent() ? 0 : 1;
        Optional<Node> sum = graph.producer(factors.get(1 - constantIndex), "Add");
        if (sum.isEmpty() || sum.get().inputs().size() != 2 || !sum.get().inputs().contains(x)) {
            return false;
        }
        String cubeTerm = sum.get().input(0).equals(x) ? sum.get().input(1) : sum.get().input(0);
        Optional<Product> scaledCube = graph.producer(cubeTerm, "Mul").map(graph::product);
        if (scaledCube.isEmpty()) {
            return false;
        }
        List<String> cubeFactors = new ArrayList<>(scaledCube.get().factors());
        String kappa = cubeFactors.stream().filter(factor -> graph.constant(factor).isPresent()).findFirst()
                .orElse(null);
        if (kappa == null) {
            return false;
        }
        cubeFactors.remove(kappa);
        boolean cubeAsProduct = cubeFactors.equals(List.of(x, x, x));
        Optional<Node> pow = cubeFactors.size() == 1 ? graph.producer(cubeFactors.get(0), "Pow")
                .filter(node -> node.input(0).equals(x)) : Optional.empty();
        if (!cubeAsProduct && pow.isEmpty()) {
            return false;
        }
        nodes.put("sum", sum.get());
        addAll(nodes, "cube", scaledCube.get());
        pow.ifPresent(node -> {
            nodes.put("pow", node);
            values.put("exponent", node.input(1));
        });
        values.put("sqrtTwoOverPi", factors.get(constantIndex));
        values.put("kappa", kappa);
        return true;
    }

    private static void addAll(Map<String, Node> nodes, String role, Product product) {
        for (int i = 0; i < product.nodes().size(); i++) {
            nodes.put(role + i, product.nodes().get(i));
        }
    }

    @Override
    public boolean check(GraphView graph, Match match) {
        boolean exponentIsThree = !match.values().containsKey("exponent")
                || graph.scalar(match.value("exponent")).orElse(0) == 3;
        return exponentIsThree && graph.readOnlyWithin(match) && graph.constant(match.value("x")).isEmpty()
                && graph.isScalarNear(match.value("half"), 0.5) && graph.isScalarNear(match.value("one"), 1)
                && graph.isScalarNear(match.value("sqrtTwoOverPi"), SQRT_TWO_OVER_PI)
                && graph.isScalarNear(match.value("kappa"), KAPPA);
    }

    @Override
    public Replacement rewrite(GraphView graph, Match match) {
        return Replacement.of(new Node(graph.fusedNodeName(match, "Gelu"), "Gelu", "", List.of(match.value("x")),
                List.of(match.anchor().output()), new Attributes(Map.of("approximate", "tanh"))));
    }
}
