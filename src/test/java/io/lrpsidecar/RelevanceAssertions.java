package io.lrpsidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Tensor;

/** Comparisons of relevance tensors by relative L2 distance, the measure the acceptance criteria use. */
public final class RelevanceAssertions {
    private RelevanceAssertions() {
    }

    /** {@code ||actual - expected||_2 / ||expected||_2}. */
    public static double relativeL2(double[] actual, double[] expected) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return norm == 0 ? Math.sqrt(difference) : Math.sqrt(difference / norm);
    }

    public static void assertRelativeL2(Tensor actual, Tensor expected, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double distance = relativeL2(actual.asDoubles(), expected.asDoubles());
        assertTrue(distance <= tolerance, what + ": relative L2 " + distance + " exceeds " + tolerance);
    }
}
