package io.lrpsidecar.faithfulness;

import io.lrpsidecar.graph.Tensor;

/** The model's forward pass on a batch: the logits {@code [rows][classes]} of {@code inputs} ({@code [rows, ...]}). */
@FunctionalInterface
public interface ForwardModel {
    double[][] logits(Tensor inputs);
}
