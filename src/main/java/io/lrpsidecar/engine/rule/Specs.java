package io.lrpsidecar.engine.rule;

/** Formats rule parameters for canonical spec strings, so equal parameters always give equal specs. */
final class Specs {
    private Specs() {
    }

    /** {@code 2}, {@code 0.25}, {@code 1e-6}: integers without a fraction, exponents in lower case. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value).replace(".0E", "E").replace('E', 'e');
    }
}
