package io.lrpsidecar.tensor;

/** The elementwise functions of one operand that {@link Primitives#unary} applies. */
public enum Unary {
    /** {@code -x}. */
    NEG,
    /** {@code x+ = max(x, 0)}. */
    POSITIVE,
    /** {@code x- = min(x, 0)}. */
    NEGATIVE,
    /** {@code |x|}. */
    ABS,
    /** {@code x * x}. */
    SQUARE,
    /** {@code sqrt(x)}. */
    SQRT,
    /** {@code 1 / x}. */
    RECIPROCAL,
    /** {@code e^x}. */
    EXP,
    /** The natural logarithm. */
    LOG,
    /** The error function {@code erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt}. */
    ERF,
    /** The hyperbolic tangent. */
    TANH,
    /** {@code 1 / (1 + e^-x)}. */
    SIGMOID
}
