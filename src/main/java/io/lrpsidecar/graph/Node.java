package io.lrpsidecar.graph;

import java.util.List;

/**
 * One operator application of the graph.
 *
 * @param name       the node's name (unique within a graph after reading: unnamed nodes get a generated name)
 * @param opType     the ONNX operator type, or one of the project's own ops in {@link #LRP_DOMAIN}
 * @param domain     the operator set domain ({@code ""} for the default ONNX domain)
 * @param inputs     value names consumed, in order ({@code ""} marks an omitted optional input)
 * @param outputs    value names produced, in order
 * @param attributes the node's attributes
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
        Attributes attributes) {

    /** The domain of operators that exist only in the canonical graph of this project (such as {@code Dense}). */
    public static final String LRP_DOMAIN = "io.lrpsidecar";

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public static Node of(String name, String opType, List<String> inputs, List<String> outputs,
            Attributes attributes) {
        return new Node(name, opType, "", inputs, outputs, attributes);
    }

    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }

    public String output() {
        return outputs.get(0);
    }

    /** A short description for messages: {@code 'name' (OpType)}. */
    public String describe() {
        return "'" + name + "' (" + opType + ")";
    }

    public Node withInputs(List<String> newInputs) {
        return new Node(name, opType, domain, newInputs, outputs, attributes);
    }

    public Node withAttributes(Attributes newAttributes) {
        return new Node(name, opType, domain, inputs, outputs, newAttributes);
    }
}
