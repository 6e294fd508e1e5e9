package io.lrpsidecar.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable ONNX computation graph: nodes in topological order, constant initializers, and the graph's runtime
 * inputs and outputs. Every transformation returns a new graph.
 *
 * @param name         the graph name
 * @param opsetVersion the version of the default ONNX operator set
 * @param nodes        the nodes, topologically sorted
 * @param initializers constant tensors by value name
 * @param inputs       the runtime inputs (initializers excluded)
 * @param outputs      the graph outputs
 * @param metadata     the model's metadata properties
 */
public record Graph(String name, long opsetVersion, List<Node> nodes, Map<String, Tensor> initializers,
        List<ValueInfo> inputs, List<ValueInfo> outputs, Map<String, String> metadata) {

    public Graph {
        nodes = List.copyOf(nodes);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public boolean isConstant(String valueName) {
        return initializers.containsKey(valueName);
    }

    public Optional<Tensor> constant(String valueName) {
        return Optional.ofNullable(initializers.get(valueName));
    }

    /** The node producing a value, if any (graph inputs and initializers have none). */
    public Optional<Node> producer(String valueName) {
        for (Node node : nodes) {
            if (node.outputs().contains(valueName)) {
                return Optional.of(node);
            }
        }
        return Optional.empty();
    }

    /** The nodes reading a value, in graph order. */
    public List<Node> consumers(String valueName) {
        List<Node> consumers = new ArrayList<>();
        for (Node node : nodes) {
            if (node.inputs().contains(valueName)) {
                consumers.add(node);
            }
        }
        return consumers;
    }

    /** How many times each value is read, by nodes or as a graph output. */
    public Map<String, Integer> useCounts() {
        Map<String, Integer> counts = new HashMap<>();
        for (Node node : nodes) {
            for (String input : node.inputs()) {
                counts.merge(input, 1, Integer::sum);
            }
        }
        for (ValueInfo output : outputs) {
            counts.merge(output.name(), 1, Integer::sum);
        }
        return counts;
    }

    public Optional<Node> node(String nodeName) {
        return nodes.stream().filter(node -> node.name().equals(nodeName)).findFirst();
    }

    public Graph withNodes(List<Node> newNodes) {
        return new Graph(name, opsetVersion, newNodes, initializers, inputs, outputs, metadata);
    }

    public Graph with(List<Node> newNodes, Map<String, Tensor> newInitializers) {
        return new Graph(name, opsetVersion, newNodes, newInitializers, inputs, outputs, metadata);
    }

    public Graph withOutputs(List<ValueInfo> newOutputs) {
        return new Graph(name, opsetVersion, nodes, initializers, inputs, newOutputs, metadata);
    }

    /**
     * Drops initializers that no node reads any more, and nodes whose outputs nobody reads (dead code after a
     * transformation), keeping everything that leads to a graph output.
     */
    public Graph pruned() {
        List<Node> kept = new ArrayList<>(nodes);
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<String, Integer> uses = withNodes(kept).useCounts();
            for (int i = kept.size() - 1; i >= 0; i--) {
                Node node = kept.get(i);
                if (node.outputs().stream().noneMatch(uses::containsKey)) {
                    kept.remove(i);
                    changed = true;
                }
            }
        }
        Map<String, Integer> uses = withNodes(kept).useCounts();
        Map<String, Tensor> usedInitializers = new LinkedHashMap<>();
        initializers.forEach((valueName, tensor) -> {
            if (uses.containsKey(valueName)) {
                usedInitializers.put(valueName, tensor);
            }
        });
        return with(kept, usedInitializers);
    }
}
