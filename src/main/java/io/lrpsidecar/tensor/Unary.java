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
    /** The hyperbolic tangent. */
    TANH,
    /** {@code 1 / (1 + e^-x)}. */
    SIGMOID
}
