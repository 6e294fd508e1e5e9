/**
 * {@link io.lrpsidecar.tensor.doubles.DoublePrimitives}: the primitives on double-precision
 * {@link io.lrpsidecar.graph.Tensor}s, written to be read; the reference engine's only {@code double[]} loops.
 */
package io.lrpsidecar.tensor.doubles;
