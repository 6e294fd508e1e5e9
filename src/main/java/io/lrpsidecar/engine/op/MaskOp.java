package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Ops that compute masks, such as {@code Equal(ids, pad)} for attention masks: they have no data inputs, so what
 * they compute never carries relevance and they never run backwards. {@code Equal} compares, {@code Not} negates.
 */
final class MaskOp implements Op {
    private final String opType;

    private MaskOp(String opType) {
        this.opType = opType;
    }

    static List<MaskOp> all() {
        return List.of(new MaskOp("Equal"), new MaskOp("Not"));
    }

    @Override
    public String opType() {
        return opType;
    }

    @Override
    public String support() {
        return opType + " (masks)";
    }

    @Override
    public BitSet dataInputs(Node node) {
        return new BitSet();
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        return List.of(opType.equals("Not") ? inputShapes.get(0).clone()
                : Shapes.broadcast(inputShapes.get(0), inputShapes.get(1)));
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(opType.equals("Not") ? p.compare(Comparison.EQ, inputs.get(0), p.scalar(0))
                : p.compare(Comparison.EQ, inputs.get(0), inputs.get(1)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        return new ArrayList<>(java.util.Collections.nCopies(inputs.size(), null));
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return OpKind.MOVE;
    }
}
