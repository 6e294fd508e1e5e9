/**
 * The explainer compiler: model + composite + initialisation into one ONNX graph computing logits, input relevance
 * and the per-layer ledger. Pure Java; it emits ONNX and runs nothing. {@link io.lrpsidecar.compiler.OnnxPrimitives}
 * implements the tensor primitives as ONNX nodes on {@link io.lrpsidecar.compiler.Value}s (ADR 0008).
 */
package io.lrpsidecar.compiler;
