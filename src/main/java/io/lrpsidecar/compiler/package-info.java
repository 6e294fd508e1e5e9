/**
 * The explainer compiler: model + composite + initialisation into one ONNX graph computing logits, input relevance
 * and the per-layer ledger. Pure Java; it emits ONNX and runs nothing.
 */
package io.lrpsidecar.compiler;
