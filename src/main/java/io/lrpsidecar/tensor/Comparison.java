package io.lrpsidecar.tensor;

/** The elementwise comparisons {@link Primitives#compare} evaluates, {@code a OP b}, giving a boolean mask. */
public enum Comparison {
    /** {@code a > b}. */
    GT,
    /** {@code a >= b}. */
    GE,
    /** {@code a < b}. */
    LT,
    /** {@code a <= b}. */
    LE,
    /** {@code a == b}. */
    EQ
}
