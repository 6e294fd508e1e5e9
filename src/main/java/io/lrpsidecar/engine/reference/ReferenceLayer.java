package io.lrpsidecar.engine.reference;

import io.lrpsidecar.engine.rule.Layer;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A node of the reference engine's backward pass: its forward values and its double-precision kernel.
 *
 * @param view    the node's static facts
 * @param kernel  its forward function and vector-Jacobian product
 * @param inputs  the forward values of all inputs
 * @param outputs the forward values of its outputs
 */
record ReferenceLayer(NodeView view, Kernel kernel, List<Tensor> inputs, List<Tensor> outputs)
        implements Layer<Tensor> {

    ReferenceLayer {
        inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        outputs = List.copyOf(outputs);
    }

    @Override
    public List<Tensor> forward(List<Tensor> substitutedInputs) {
        return List.of(kernel.forward(view.node(), substitutedInputs));
    }

    @Override
    public List<Tensor> vjp(List<Tensor> substitutedInputs, List<Tensor> outputGradients) {
        List<Tensor> gradients = kernel.backward(view.node(), substitutedInputs, output(), outputGradients.get(0));
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            result.add(view.carries(i) && i < gradients.size() ? gradients.get(i) : null);
        }
        return result;
    }
}
