/**
 * The double-precision reference implementation: one readable kernel (forward and vector-Jacobian
 * product) per operator and the op-by-op explainer. It is the executable spec and the test oracle.
 */
package io.lrpsidecar.engine.reference;
