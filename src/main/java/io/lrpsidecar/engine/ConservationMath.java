package io.lrpsidecar.engine;

/** The one definition of a relative conservation error used in ledgers and summaries. */
public final class ConservationMath {
    private ConservationMath() {
    }

    /** {@code |expected - actual| / |expected|}; 0 if both are 0, infinite if only {@code expected} is 0. */
    public static double relativeError(double expected, double actual) {
        double difference = Math.abs(expected - actual);
        if (difference == 0) {
            return 0;
        }
        return expected == 0 ? Double.POSITIVE_INFINITY : difference / Math.abs(expected);
    }
}
