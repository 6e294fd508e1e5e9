package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.List;

/**
 * The double-precision forward function of one ONNX operator and its vector-Jacobian product (the gradient of the
 * inputs given the gradient of the output), written to be read: plain loops over C-order arrays.
 */
public interface Kernel {

    /** Computes the node's (first) output from all its inputs, constants included. */
    Tensor forward(Node node, List<Tensor> inputs);

    /**
     * The vector-Jacobian product {@code J_i^T g} for every input {@code i}. Entries for inputs that are not
     * differentiated (weights, shapes, indices) may be {@code null}. For ops that are linear in their first input,
     * the result for that input does not depend on its value, which is what the LRP rules use to apply a transposed
     * layer with modified weights.
     */
    List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient);
}
