package io.lrpsidecar.engine.reference;

import io.lrpsidecar.engine.op.Op;
import io.lrpsidecar.engine.rule.Layer;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A node of the reference engine's backward pass: its forward values and its operator, run in double precision.
 *
 * @param view    the node's static facts
 * @param op      its operator (forward function and vector-Jacobian product)
 * @param inputs  the forward values of all inputs
 * @param outputs the forward values of its outputs
 */
record ReferenceLayer(NodeView view, Op op, List<Tensor> inputs, List<Tensor> outputs)
        implements Layer<Tensor> {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    ReferenceLayer {
        inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        outputs = List.copyOf(outputs);
    }

    @Override
    public List<Tensor> forward(List<Tensor> substitutedInputs) {
        return op.forward(P, view, substitutedInputs);
    }

    @Override
    public List<Tensor> vjp(List<Tensor> substitutedInputs, List<Tensor> outputGradients) {
        List<Tensor> gradients = op.vjp(P, view, substitutedInputs, outputs, outputGradients);
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            result.add(view.carries(i) && i < gradients.size() ? gradients.get(i) : null);
        }
        return result;
    }
}
