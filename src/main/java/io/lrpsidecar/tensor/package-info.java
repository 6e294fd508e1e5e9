/**
 * The tensor vocabulary LRP rules and operators are written in ({@link io.lrpsidecar.tensor.Primitives}), which each
 * engine implements once: the double-precision reference in {@code tensor.doubles}, the ONNX emitter in the compiler
 * (ADR 0008).
 */
package io.lrpsidecar.tensor;
