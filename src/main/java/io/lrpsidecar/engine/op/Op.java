package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeRule;
import io.lrpsidecar.tensor.Primitives;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One ONNX operator, everything the engines need of it in one place: its shape function, when it is refused, its
 * forward function and vector-Jacobian product (written once against the {@link Primitives}, so the reference runs
 * them in double precision and the compiler emits them), which inputs are data (can carry relevance), its kind for
 * rule assignment, and whether its output is known to be non-negative.
 */
public interface Op extends ShapeRule {

    /** The ONNX op type, such as {@code Sigmoid}. */
    String opType();

    /** The operator's domain: {@code ""} for ai.onnx, {@link Node#LRP_DOMAIN} for the engine's own nodes. */
    default String domain() {
        return "";
    }

    /** How the list of supported operators names it, with any condition, such as {@code Gemm (constant weight)}. */
    default String support() {
        return opType();
    }

    /** Why this node cannot be explained, or empty when it can. */
    default Optional<String> refusal(Node node, Graph graph) {
        return Optional.empty();
    }

    /** The outputs computed from all inputs (constants included). */
    <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs);

    /**
     * {@code J_i^T g} for each data input {@code i} ({@code null} for the others), given the gradients of the outputs
     * (a {@code null} gradient is zero).
     */
    <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients);

    /** The inputs that are data, as opposed to weights, shapes, axes or indices; only data can carry relevance. */
    default BitSet dataInputs(Node node) {
        BitSet data = new BitSet();
        data.set(0);
        return data;
    }

    /** The node's role for rule assignment, given which inputs carry relevance. */
    OpKind kind(Node node, Graph graph, BitSet carrying);

    /** Whether the (first) output cannot be negative, given which values are known not to be. */
    default boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return false;
    }

    /** Whether outputs after the first may be used (otherwise a node that uses them is refused). */
    default boolean multipleOutputs() {
        return false;
    }
}
