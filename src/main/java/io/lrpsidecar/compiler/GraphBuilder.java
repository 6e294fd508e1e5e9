package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Accumulates the nodes and initializers of a graph under construction, handing out unique value names. Each
 * {@code op} call appends one node and returns the name of its (first) output.
 * <p>
 * A {@linkplain #deduplicating deduplicating} builder emits one node per (op type, inputs, attributes) and one
 * initializer per constant value: asking again returns the first output or name. {@link #opWithOutputs}, whose
 * outputs the caller names, is never deduplicated.
 */
final class GraphBuilder {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final boolean deduplicating;
    private final Map<String, List<String>> emitted = new HashMap<>();
    private final Map<Tensor, String> constantNames = new HashMap<>();
    private int counter;

    GraphBuilder(Set<String> reserved) {
        this(reserved, false);
    }

    private GraphBuilder(Set<String> reserved, boolean deduplicating) {
        names.addAll(reserved);
        this.deduplicating = deduplicating;
    }

    /** A builder that reuses an equal node or constant instead of emitting it again. */
    static GraphBuilder deduplicating(Set<String> reserved) {
        return new GraphBuilder(reserved, true);
    }

    /** A fresh value name starting with {@code hint}. */
    String fresh(String hint) {
        String base = hint.replaceAll("[^A-Za-z0-9_./:-]", "_");
        String name = base;
        while (!names.add(name)) {
            name = base + "_" + ++counter;
        }
        return name;
    }

    /** Appends a node with one output named after {@code hint}; returns the output name. */
    String op(String opType, String hint, Attributes attributes, String... inputs) {
        return ops(opType, hint, attributes, List.of(inputs), 1).get(0);
    }

    String op(String opType, String hint, String... inputs) {
        return op(opType, hint, Attributes.NONE, inputs);
    }

    /** Appends a node with {@code count} outputs named after {@code hint}; returns the output names. */
    List<String> ops(String opType, String hint, Attributes attributes, List<String> inputs, int count) {
        String key = deduplicating ? key(opType, attributes, inputs, count) : null;
        if (key != null && emitted.containsKey(key)) {
            return emitted.get(key);
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            outputs.add(fresh(hint));
        }
        nodes.add(Node.of(fresh("n_" + hint), opType, inputs, outputs, attributes));
        if (key != null) {
            emitted.put(key, List.copyOf(outputs));
        }
        return outputs;
    }

    /** Appends a node whose outputs are given (several outputs, or a name fixed by the caller). */
    void opWithOutputs(String opType, String hint, Attributes attributes, List<String> inputs, List<String> outputs) {
        names.addAll(outputs);
        nodes.add(Node.of(fresh("n_" + hint), opType, inputs, outputs, attributes));
    }

    /** Registers a constant and returns its name (the name of an equal constant when deduplicating). */
    String constant(String hint, Tensor value) {
        if (deduplicating && constantNames.containsKey(value)) {
            return constantNames.get(value);
        }
        String name = fresh(hint);
        define(name, value);
        return name;
    }

    /** Registers a constant under a name already taken with {@link #fresh}. */
    void define(String name, Tensor value) {
        if (initializers.containsKey(name)) {
            throw new IllegalStateException("initializer '" + name + "' is defined twice");
        }
        initializers.put(name, value);
        if (deduplicating) {
            constantNames.putIfAbsent(value, name);
        }
    }

    /** The name of a registered constant equal to {@code value} (deduplicating builders only), or {@code null}. */
    String constantName(Tensor value) {
        return constantNames.get(value);
    }

    /** The value of a constant registered with {@link #constant}, or {@code null}. */
    Tensor initializer(String name) {
        return initializers.get(name);
    }

    String scalar(String hint, double value) {
        return constant(hint, Tensor.scalar(value));
    }

    String longs(String hint, long... values) {
        return constant(hint, Tensor.ofLongs(new int[] {values.length}, values));
    }

    Graph build(String name, long opset, List<ValueInfo> inputs, List<ValueInfo> outputs,
            Map<String, String> metadata) {
        return new Graph(name, opset, nodes, initializers, inputs, outputs, metadata);
    }

    /** What makes two nodes the same computation: op type, inputs, attributes (by value) and output count. */
    private static String key(String opType, Attributes attributes, List<String> inputs, int count) {
        StringBuilder key = new StringBuilder(opType).append('|').append(count).append('|')
                .append(String.join(",", inputs)).append('|');
        new TreeMap<>(attributes.values()).forEach((name, value) -> key.append(name).append('=')
                .append(attributeText(value)).append(';'));
        return key.toString();
    }

    private static String attributeText(Object value) {
        if (value instanceof long[] ints) {
            return Arrays.toString(ints);
        }
        if (value instanceof double[] floats) {
            return Arrays.toString(floats);
        }
        if (value instanceof Tensor tensor) {
            return tensor.type() + Arrays.toString(tensor.shape()) + (tensor.isFloatingPoint()
                    ? Arrays.toString(tensor.doubles()) : Arrays.toString(tensor.longs()));
        }
        return value.getClass().getSimpleName() + ":" + value;
    }
}
