package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * An LRP rule: redistributes the relevance arriving at a layer's outputs onto the layer's inputs. As in zennit, the
 * quantity flowing backwards is the relevance itself. A rule is written once against the
 * {@link io.lrpsidecar.tensor.Primitives}: the reference engine runs it in double precision, the compiler emits it as
 * ONNX nodes.
 */
public interface Rule {

    /** The rule's name in the composite spec syntax, such as {@code epsilon}. */
    String name();

    /** The canonical spec of this rule with all parameters, such as {@code epsilon(epsilon=1e-06)}. */
    String spec();

    /** Whether the rule can be applied to a layer of this kind. */
    boolean appliesTo(OpKind kind);

    /** Whether the rule can be applied to this node (by default: to its kind). */
    default boolean appliesTo(NodeView view) {
        return appliesTo(view.kind());
    }

    /**
     * The relevance of each input of {@code layer} ({@code null} for inputs that receive none), given the relevance
     * of each of its outputs.
     */
    <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance);
}
