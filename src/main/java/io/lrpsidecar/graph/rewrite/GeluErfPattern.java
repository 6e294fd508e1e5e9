package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The exact GELU, {@code out = 0.5 · x · (1 + erf(x / √2))}, as exporters write it:
 * <pre>
 *   e = Erf(Div(x, √2))   or   Erf(Mul(x, 1/√2))
 *   out = the product of x, Add(e, 1) and 0.5 in any association and operand order
 * </pre>
 * PyTorch gives {@code Mul(Mul(x, Add(e, 1)), 0.5)}, tf2onnx and Keras {@code Mul(Mul(0.5, x), Add(1, e))}; both
 * become one ONNX {@code Gelu(x)} with {@code approximate = "none"}.
 *
 * <p>Check: the constants are √2 (or 1/√2), 1 and 0.5 within float32 rounding, and no intermediate value leaves the
 * pattern.
 */
public final class GeluErfPattern implements RewritePattern {
    private static final double SQRT_TWO = Math.sqrt(2);

    @Override
    public String name() {
        return "GeluErf";
    }

    @Override
    public Optional<Match> match(GraphView graph, Node anchor) {
        if (!anchor.opType().equals("Mul") || !anchor.domain().isEmpty()) {
            return Optional.empty();
        }
        Product product = graph.product(anchor);
        if (product.factors().size() != 3) {
            return Optional.empty();
        }
        for (String factor : product.factors()) {
            Optional<Match> match = matchWithOnePlusErf(graph, anchor, product, factor);
            if (match.isPresent()) {
                return match;
            }
        }
        return Optional.empty();
    }

    private static Optional<Match> matchWithOnePlusErf(GraphView graph, Node anchor, Product product,
            String onePlusErf) {
        Optional<Node> add = graph.producer(onePlusErf, "Add");
        Optional<GraphView.Operands> one = add.flatMap(graph::splitConstant);
        Optional<Node> erf = one.flatMap(operands -> graph.producer(operands.value(), "Erf"));
        Optional<Node> scaling = erf.flatMap(node -> graph.producer(node.input(0), "Div")
                .or(() -> graph.producer(node.input(0), "Mul")));
        Optional<GraphView.Operands> scale = scaling.flatMap(graph::splitConstant)
                .filter(operands -> operands.constantIndex() == 1 || scaling.get().opType().equals("Mul"));
        if (scale.isEmpty()) {
            return Optional.empty();
        }
        String x = scale.get().value();
        List<String> rest = new ArrayList<>(product.factors());
        rest.remove(onePlusErf);
        if (!rest.remove(x) || graph.constant(rest.get(0)).isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (int i = 0; i < product.nodes().size(); i++) {
            nodes.put("product" + i, product.nodes().get(i));
        }
        nodes.put("add", add.get());
        nodes.put("erf", erf.get());
        nodes.put("scaling", scaling.get());
        Map<String, String> values = new LinkedHashMap<>();
        values.put("x", x);
        values.put("half", rest.get(0));
        values.put("one", one.get().constant());
        values.put("scale", scale.get().constant());
        return Optional.of(new Match(anchor, nodes, values));
    }

    @Override
    public boolean check(GraphView graph, Match match) {
        double scale = match.node("scaling").opType().equals("Div") ? SQRT_TWO : 1 / SQRT_TWO;
        return graph.readOnlyWithin(match) && graph.constant(match.value("x")).isEmpty()
                && graph.isScalarNear(match.value("scale"), scale) && graph.isScalarNear(match.value("one"), 1)
                && graph.isScalarNear(match.value("half"), 0.5);
    }

    @Override
    public Replacement rewrite(GraphView graph, Match match) {
        return Replacement.of(new Node(graph.fusedNodeName(match, "Gelu"), "Gelu", "", List.of(match.value("x")),
                List.of(match.anchor().output()), new Attributes(Map.of("approximate", "none"))));
    }
}
