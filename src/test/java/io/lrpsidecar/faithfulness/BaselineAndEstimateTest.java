package io.lrpsidecar.faithfulness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Tensor;
import org.junit.jupiter.api.Test;

/** Baselines (blur sums and edges, the mean) and the bootstrap estimates on data whose answers are known. */
class BaselineAndEstimateTest {
    private static final int[] TWO_CHANNELS = {2, 9, 9};

    @Test
    void blurKeepsConstantsAndTheMassOfAnInnerImpulse() {
        double[] row = new double[2 * 81];
        java.util.Arrays.fill(row, 0, 81, 0.5);
        row[81 + 4 * 9 + 4] = 1;
        double[] blurred = new Baseline.Blur(1.0).forRow(row, TWO_CHANNELS);
        for (int i = 0; i < 81; i++) {
            assertEquals(0.5, blurred[i], 1e-7);
        }
        double sum = 0;
        for (int i = 81; i < 162; i++) {
            sum += blurred[i];
        }
        assertEquals(1, sum, 1e-6);
        double w0 = 1 / weightTotal();
        assertEquals(w0 * w0, blurred[81 + 4 * 9 + 4], 1e-7);
        assertEquals(blurred[81 + 3 * 9 + 4], blurred[81 + 5 * 9 + 4], 0);
    }

    @Test
    void blurRepeatsTheEdges() {
        double[] row = new double[81];
        row[0] = 1;
        double[] blurred = new Baseline.Blur(1.0).forRow(row, new int[] {9, 9});
        double total = weightTotal();
        double edgeShare = (1 + Math.exp(-0.5) + Math.exp(-2) + Math.exp(-4.5)) / total;
        assertEquals(edgeShare * edgeShare, blurred[0], 1e-7);
        assertThrows(IllegalArgumentException.class, () -> new Baseline.Blur(0));
        assertThrows(IllegalArgumentException.class, () -> new Baseline.Blur(1).forRow(new double[3], new int[] {3}));
    }

    @Test
    void meanIsPerElementAndRoundedToFloat() {
        Tensor rows = Tensor.of(new int[] {3, 2}, new double[] {0.1, 1, 0.2, 2, 0.4, 6});
        Baseline.Fixed mean = Baseline.Fixed.meanOf(rows);
        assertArrayEquals(new double[] {(float) (0.7 / 3), 3}, mean.values(), 0);
        assertEquals("mean", mean.describe());
        assertThrows(IllegalArgumentException.class, () -> mean.forRow(new double[3], new int[] {3}));
        assertArrayEquals(new double[] {5, 5}, new Baseline.Pad(5).forRow(new double[2], new int[] {2}), 0);
    }

    @Test
    void estimateOfKnownValues() {
        Estimate estimate = Estimate.of(new double[] {1, 2, 3, 4, 10});
        assertEquals(4, estimate.mean(), 1e-12);
        assertEquals(Math.sqrt(12.5), estimate.sd(), 1e-12);
        // the interval faithfulness_check.py computes with its own SplitMix64 and quantiles
        assertEquals(1.8, estimate.low(), 1e-12);
        assertEquals(7.2, estimate.high(), 1e-12);
        assertEquals(5, estimate.rows());
        assertTrue(estimate.covers(4));
        assertFalse(estimate.covers(8));
        Estimate single = Estimate.of(new double[] {0.25});
        assertEquals(new Estimate(0.25, 0, 0.25, 0.25, 1), single);
        Estimate paired = Estimate.difference(new double[] {2, 3, 4}, new double[] {1, 2, 3});
        assertEquals(new Estimate(1, 0, 1, 1, 3), paired);
        assertThrows(IllegalArgumentException.class, () -> Estimate.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Estimate.difference(new double[1], new double[2]));
    }

    private static double weightTotal() {
        double total = 0;
        for (int d = -3; d <= 3; d++) {
            total += Math.exp(-(double) d * d / 2);
        }
        return total;
    }
}
