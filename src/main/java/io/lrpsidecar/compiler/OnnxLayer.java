package io.lrpsidecar.compiler;

import io.lrpsidecar.engine.op.Op;
import io.lrpsidecar.engine.rule.Layer;
import io.lrpsidecar.engine.rule.NodeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A node of the compiled backward pass: its forward values in the explainer graph and its operator, whose forward
 * function and vector-Jacobian product emit ONNX nodes through {@link OnnxPrimitives}. A rule that recomputes the
 * node with its own inputs gets the forward nodes back (common subexpressions).
 *
 * @param view    the node's static facts
 * @param op      its operator
 * @param p       the primitives emitting the explainer graph
 * @param inputs  the values of all inputs ({@code null} for absent optional inputs)
 * @param outputs the values of its outputs
 */
record OnnxLayer(NodeView view, Op op, OnnxPrimitives p, List<Value> inputs, List<Value> outputs)
        implements Layer<Value> {

    OnnxLayer {
        inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        outputs = List.copyOf(outputs);
    }

    @Override
    public List<Value> forward(List<Value> substitutedInputs) {
        return op.forward(p, view, substitutedInputs);
    }

    @Override
    public List<Value> vjp(List<Value> substitutedInputs, List<Value> outputGradients) {
        List<Value> gradients = op.vjp(p, view, substitutedInputs, outputs, outputGradients);
        List<Value> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            result.add(view.carries(i) && i < gradients.size() ? gradients.get(i) : null);
        }
        return result;
    }
}
