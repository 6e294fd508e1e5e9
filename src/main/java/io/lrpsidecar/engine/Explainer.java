package io.lrpsidecar.engine;

import io.lrpsidecar.graph.Tensor;

/** Computes LRP explanations of a batch of inputs. */
public interface Explainer {

    /**
     * Explains every row of {@code input} ({@code [rows, ...]}) for the chosen target, starting from the chosen
     * initial relevance.
     */
    Explanation explain(Tensor input, Target target, InitMode init);
}
