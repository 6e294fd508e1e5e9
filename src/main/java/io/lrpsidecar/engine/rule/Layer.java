package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One node during the backward pass, with the values it saw in the forward pass: what a rule needs to redistribute
 * the relevance of the node's output onto its inputs.
 *
 * @param node        the node
 * @param kind        its role for rule assignment
 * @param kernel      its forward function and vector-Jacobian product
 * @param inputs      the forward values of all inputs (activations, weights and other constants)
 * @param activations which inputs are activations (computed at run time), as opposed to constants
 * @param output      the forward value of the output
 */
public record Layer(Node node, OpKind kind, Kernel kernel, List<Tensor> inputs, List<Boolean> activations,
        Tensor output) {

    public Layer {
        inputs = java.util.Collections.unmodifiableList(new ArrayList<>(inputs));
        activations = List.copyOf(activations);
    }

    /** The layer input {@code x} (first input). */
    public Tensor x() {
        return inputs.get(0);
    }

    /** The weight of a Conv or Dense layer. */
    public Tensor weight() {
        return inputs.get(1);
    }

    /** The bias of a Conv or Dense layer (always present after canonicalization). */
    public Tensor bias() {
        return inputs.get(2);
    }

    /** The layer function with substituted input and parameters: {@code f(x; W, b)}. */
    public Tensor forward(Tensor x, Tensor weight, Tensor bias) {
        return kernel.forward(node, List.of(x, weight, bias));
    }

    /** The transposed layer {@code W^T s} (for a convolution: the transposed convolution) with weight {@code W}. */
    public Tensor transposed(Tensor weight, Tensor s) {
        List<Tensor> substituted = new ArrayList<>(inputs);
        substituted.set(1, weight);
        return kernel.backward(node, substituted, output, s).get(0);
    }

    /** The plain vector-Jacobian product of the node for every input. */
    public List<Tensor> gradient(Tensor outputGradient) {
        return kernel.backward(node, inputs, output, outputGradient);
    }

    /** A list aligned with the inputs holding {@code relevance} for the first input and nothing for the rest. */
    public List<Tensor> toFirstInput(Tensor relevance) {
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            result.add(i == 0 ? relevance : null);
        }
        return result;
    }
}
