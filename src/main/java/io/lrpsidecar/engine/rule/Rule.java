package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Tensor;
import java.util.List;

/**
 * An LRP rule: redistributes the relevance {@code R_j} arriving at a layer's output onto the layer's inputs. As in
 * zennit, the quantity flowing backwards is the relevance itself; a rule returns the relevance of each input
 * ({@code null} for constant inputs such as weights).
 */
public interface Rule {

    /** The rule's name in the composite spec syntax, such as {@code epsilon}. */
    String name();

    /** The canonical spec of this rule with all parameters, such as {@code epsilon(epsilon=1e-06)}. */
    String spec();

    /** Whether the rule can be applied to a layer of this kind. */
    boolean appliesTo(OpKind kind);

    /** The relevance of each input of {@code layer}, aligned with its inputs. */
    List<Tensor> propagate(Layer layer, Tensor relevance);
}
