package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.List;

/**
 * One node during the backward pass, in one engine's tensors {@code T}: its forward values and its own function and
 * vector-Jacobian product, which rules call with modified operands (zennit's input and parameter modifiers). Built by
 * the engine that runs the pass; rules see only this and the {@link io.lrpsidecar.tensor.Primitives}.
 *
 * @param <T> the tensor handle of the engine
 */
public interface Layer<T> {

    /** The static facts of the node. */
    NodeView view();

    /** The forward values of all inputs (activations, weights and other constants); absent optional inputs are null. */
    List<T> inputs();

    /** The forward values of the outputs. */
    List<T> outputs();

    /** The node's function applied to substituted inputs (aligned with {@link #inputs()}). */
    List<T> forward(List<T> substitutedInputs);

    /**
     * The vector-Jacobian products {@code J_i^T g} at the substituted inputs, for the inputs that carry relevance
     * ({@code null} for the others). For an op linear in its carrying inputs the result does not depend on their
     * values, which is how rules apply a transposed layer with modified weights.
     */
    List<T> vjp(List<T> substitutedInputs, List<T> outputGradients);

    default OpKind kind() {
        return view().kind();
    }

    default T input(int index) {
        return inputs().get(index);
    }

    /** The first output. */
    default T output() {
        return outputs().get(0);
    }

    /** The inputs with input {@code index} replaced by {@code value}. */
    default List<T> withInput(int index, T value) {
        List<T> substituted = new ArrayList<>(inputs());
        substituted.set(index, value);
        return substituted;
    }

    /** {@code R_i = x_i * g_i} for every carrying input {@code i}, {@code null} elsewhere. */
    default List<T> timesInputs(Primitives<T> p, List<T> gradients) {
        List<T> result = new ArrayList<>();
        for (int i = 0; i < inputs().size(); i++) {
            T gradient = i < gradients.size() ? gradients.get(i) : null;
            result.add(view().carries(i) && gradient != null ? p.mul(inputs().get(i), gradient) : null);
        }
        return result;
    }

    /** A list aligned with the inputs holding {@code relevance} for the first input and nothing for the rest. */
    default List<T> toFirstInput(T relevance) {
        List<T> result = new ArrayList<>();
        for (int i = 0; i < inputs().size(); i++) {
            result.add(i == 0 ? relevance : null);
        }
        return result;
    }
}
