package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wraps an explainer compiled for one row (every input and output {@code [1, ...]}) in an ONNX {@code Scan} over the
 * rows of a batch (ONNX operators, Scan-16: the scan inputs are sliced along axis 0 and each iteration's scan outputs
 * are stacked along axis 0). The body restores the row's batch axis of extent 1 with {@code Unsqueeze}, runs the
 * explainer and drops it again with {@code Squeeze}, so the wrapped graph has the same inputs and outputs, with a
 * dynamic batch, as an explainer compiled for any batch size. ONNX Runtime wants every name assigned once across a
 * graph and its bodies, so inside the body the explainer's inputs and outputs are renamed under {@value #ONE_ROW}.
 */
final class RowScan {
    private static final String ROW = "row/";
    private static final String ONE_ROW = "one_row/";

    private RowScan() {
    }

    /** The graph over rows; {@code oneRow}'s inputs and outputs all lead with the batch axis. */
    static Graph overRows(Graph oneRow) {
        String axis = ROW + "axis";
        Map<String, String> renamed = new HashMap<>();
        oneRow.inputs().forEach(input -> renamed.put(input.name(), ONE_ROW + input.name()));
        oneRow.outputs().forEach(output -> renamed.put(output.name(), ONE_ROW + output.name()));
        List<Node> nodes = new ArrayList<>();
        List<ValueInfo> bodyInputs = new ArrayList<>();
        for (ValueInfo input : oneRow.inputs()) {
            ValueInfo row = rowOf(input);
            bodyInputs.add(row);
            nodes.add(Node.of(ROW + "unsqueeze_" + input.name(), "Unsqueeze", List.of(row.name(), axis),
                    List.of(renamed.get(input.name())), Attributes.NONE));
        }
        for (Node node : oneRow.nodes()) {
            nodes.add(new Node(node.name(), node.opType(), node.domain(),
                    node.inputs().stream().map(name -> renamed.getOrDefault(name, name)).toList(),
                    node.outputs().stream().map(name -> renamed.getOrDefault(name, name)).toList(),
                    node.attributes()));
        }
        List<ValueInfo> bodyOutputs = new ArrayList<>();
        for (ValueInfo output : oneRow.outputs()) {
            ValueInfo row = rowOf(output);
            bodyOutputs.add(row);
            nodes.add(Node.of(ROW + "squeeze_" + output.name(), "Squeeze", List.of(renamed.get(output.name()), axis),
                    List.of(row.name()), Attributes.NONE));
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>(oneRow.initializers());
        if (initializers.put(axis, Tensor.ofLongs(new int[] {1}, new long[] {0})) != null) {
            throw new IllegalStateException("the one-row explainer already holds a value named '" + axis + "'");
        }
        Graph body = new Graph(oneRow.name() + "_row", oneRow.opsetVersion(), nodes, initializers, bodyInputs,
                bodyOutputs, Map.of());
        Node scan = Node.of("rows", "Scan", oneRow.inputs().stream().map(ValueInfo::name).toList(),
                oneRow.outputs().stream().map(ValueInfo::name).toList(),
                new Attributes(Map.of("body", body, "num_scan_inputs", (long) oneRow.inputs().size())));
        return new Graph(oneRow.name(), oneRow.opsetVersion(), List.of(scan), Map.of(), oneRow.inputs(),
                oneRow.outputs(), oneRow.metadata());
    }

    /** One row of a batched value: its name under {@value #ROW} and its shape without the leading batch axis. */
    private static ValueInfo rowOf(ValueInfo batched) {
        ElementType type = batched.type();
        return new ValueInfo(ROW + batched.name(), type, batched.shape().subList(1, batched.shape().size()));
    }
}
