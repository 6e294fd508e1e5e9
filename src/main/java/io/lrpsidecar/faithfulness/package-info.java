/**
 * Faithfulness of explanations, measured by perturbation: regions of the input are replaced by a baseline in
 * relevance order, most relevant first (MoRF) and least relevant first (LeRF), and the model is re-run at every step.
 * The areas under the target's curves give AOPC (Samek et al. 2017, "Evaluating the visualization of what a deep
 * neural network has learned") and their gap ABPC (Blücher et al. 2024, "Decoupling pixel flipping and occlusion
 * strategy for consistent XAI benchmarks"); a random order is the control. Used by {@code lrp evaluate},
 * {@code lrp recommend} and the stream's sampled faithfulness. Depends on the graph tensors and on a
 * {@link io.lrpsidecar.faithfulness.ForwardModel}; the runtime provides one on ONNX Runtime.
 */
package io.lrpsidecar.faithfulness;
