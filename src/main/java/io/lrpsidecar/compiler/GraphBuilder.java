package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulates the nodes and initializers of a graph under construction, handing out unique value names. Each
 * {@code op} call appends one node and returns the name of its (first) output.
 */
final class GraphBuilder {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private int counter;

    GraphBuilder(Set<String> reserved) {
        names.addAll(reserved);
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
        String output = fresh(hint);
        nodes.add(Node.of(fresh("n_" + hint), opType, List.of(inputs), List.of(output), attributes));
        return output;
    }

    String op(String opType, String hint, String... inputs) {
        return op(opType, hint, Attributes.NONE, inputs);
    }

    /** Appends a node whose outputs are given (several outputs, or a name fixed by the caller). */
    void opWithOutputs(String opType, String hint, Attributes attributes, List<String> inputs, List<String> outputs) {
        names.addAll(outputs);
        nodes.add(Node.of(fresh("n_" + hint), opType, inputs, outputs, attributes));
    }

    /** Registers a constant and returns its name. */
    String constant(String hint, Tensor value) {
        String name = fresh(hint);
        initializers.put(name, value);
        return name;
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
}
