/**
 * The operators: one class per ONNX op type with its shape function, refusal, forward function and vector-Jacobian
 * product (written against {@link io.lrpsidecar.tensor.Primitives}), data inputs, kind and non-negativity, and the
 * {@link io.lrpsidecar.engine.op.Ops} registry that every engine, the support check and shape inference consult.
 */
package io.lrpsidecar.engine.op;
