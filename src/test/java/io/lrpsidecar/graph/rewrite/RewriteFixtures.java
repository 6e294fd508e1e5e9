package io.lrpsidecar.graph.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.npy.Npy;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The exports of {@code scripts/export_rewrite_fixtures.py} in {@code src/test/resources/rewrite} and small edits of
 * them for the negative cases.
 */
final class RewriteFixtures {
    private RewriteFixtures() {
    }

    static Graph model(String name) {
        return OnnxModelReader.read(resource(name + ".onnx"));
    }

    /** A saved array: {@code input}, {@code output}, or {@code <module>.in} / {@code <module>.out}. */
    static Tensor array(String model, String key) {
        return Npy.read(resource(model + "." + key + ".npy")).tensor();
    }

    private static Path resource(String file) {
        try {
            return Path.of(Objects.requireNonNull(RewriteFixtures.class.getResource("/rewrite/" + file),
                    "missing test resource rewrite/" + file).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Op types and how often each occurs, {@code Constant} nodes left out. */
    static Map<String, Integer> opCounts(Graph graph) {
        Map<String, Integer> counts = new TreeMap<>();
        graph.nodes().stream().filter(node -> !node.opType().equals("Constant"))
                .forEach(node -> counts.merge(node.opType(), 1, Integer::sum));
        return counts;
    }

    static Node onlyNode(Graph graph, String opType) {
        List<Node> nodes = graph.nodes().stream().filter(node -> node.opType().equals(opType)).toList();
        assertEquals(1, nodes.size(), () -> "expected one " + opType + " node, found " + nodes);
        return nodes.get(0);
    }

    /** The graph with the named node replaced by {@code edit} of it. */
    static Graph editNode(Graph graph, String nodeName, UnaryOperator<Node> edit) {
        List<Node> nodes = new ArrayList<>();
        boolean found = false;
        for (Node node : graph.nodes()) {
            found |= node.name().equals(nodeName);
            nodes.add(node.name().equals(nodeName) ? edit.apply(node) : node);
        }
        assertTrue(found, () -> "no node named " + nodeName);
        return graph.withNodes(nodes);
    }

    /** The graph with another value of the {@code Constant} node that produces {@code value}. */
    static Graph withConstant(Graph graph, String value, Tensor tensor) {
        Node constant = graph.producer(value).orElseThrow();
        return editNode(graph, constant.name(), node -> node.withAttributes(node.attributes().with("value", tensor)));
    }

    /** The graph with an intermediate value also exposed as a graph output (one more reader of it). */
    static Graph withExtraOutput(Graph graph, String value) {
        List<ValueInfo> outputs = new ArrayList<>(graph.outputs());
        outputs.add(new ValueInfo(value, graph.outputs().get(0).type(), List.of()));
        return graph.withOutputs(outputs);
    }

    /** The graph with one more node, {@code Identity(value)}, whose output is a graph output. */
    static Graph withExtraReader(Graph graph, String value) {
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.add(Node.of("extra_reader", "Identity", List.of(value), List.of("extra_read"),
                Attributes.NONE));
        return withExtraOutput(graph.withNodes(nodes), "extra_read");
    }

    /** Every node input is an earlier node's output, an initializer or a graph input. */
    static void assertWellFormed(Graph graph) {
        Set<String> defined = new HashSet<>(graph.initializers().keySet());
        graph.inputs().forEach(input -> defined.add(input.name()));
        defined.add("");
        for (Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                assertTrue(defined.contains(input), () -> node.describe() + " reads '" + input
                        + "' before anything defines it");
            }
            defined.addAll(node.outputs());
        }
        graph.outputs().forEach(output -> assertTrue(defined.contains(output.name()),
                () -> "graph output '" + output.name() + "' is not defined"));
    }

    /** Element-wise {@code |actual - expected| <= 1e-5 (1 + |expected|)}: float32 results against doubles. */
    static void assertClose(Tensor expected, Tensor actual) {
        assertEquals(List.of(box(expected.shape())), List.of(box(actual.shape())), "shape");
        double[] e = expected.asDoubles();
        double[] a = actual.asDoubles();
        for (int i = 0; i < e.length; i++) {
            int index = i;
            assertTrue(Math.abs(a[i] - e[i]) <= 1e-5 * (1 + Math.abs(e[i])),
                    () -> "element " + index + ": expected " + e[index] + ", found " + a[index]);
        }
    }

    private static List<Integer> box(int[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }
}
