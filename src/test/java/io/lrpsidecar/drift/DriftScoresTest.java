package io.lrpsidecar.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** nDCG on a hand-worked example, and the bounds and symmetry of the Jensen–Shannon divergence. */
class DriftScoresTest {
    private static final double LOG2_3 = Math.log(3) / Math.log(2);

    @Test
    void ndcgOfAHandWorkedExample() {
        double[] baseline = {0.5, 0.3, 0.2};
        double[] current = {0.2, 0.3, 0.5};
        // current ranks cells 2, 1, 0; their baseline gains 0.2, 0.3, 0.5 at discounts 1, log2 3, 2
        double dcg = 0.2 + 0.3 / LOG2_3 + 0.5 / 2;
        double ideal = 0.5 + 0.3 / LOG2_3 + 0.2 / 2;
        assertEquals(dcg / ideal, DriftScores.ndcg(current, baseline), 1e-12);
        assertEquals(1, DriftScores.ndcg(new double[] {5, 3, 2}, baseline), 1e-12, "same ranking, other masses");
    }

    @Test
    void ndcgTiesGoToTheLowerCellAndEmptyProfilesGiveNaN() {
        double[] baseline = {0.1, 0.6, 0.3};
        // cells 0 and 1 tie in the current profile: cell 0 ranks first
        double dcg = 0.1 + 0.6 / LOG2_3 + 0.3 / 2;
        double ideal = 0.6 + 0.3 / LOG2_3 + 0.1 / 2;
        assertEquals(dcg / ideal, DriftScores.ndcg(new double[] {0.4, 0.4, 0.2}, baseline), 1e-12);
        assertTrue(Double.isNaN(DriftScores.ndcg(new double[3], baseline)));
        assertTrue(Double.isNaN(DriftScores.jensenShannon(baseline, new double[3])));
    }

    @Test
    void jensenShannonIsZeroForEqualProfilesOneForDisjointOnesAndSymmetric() {
        assertEquals(0, DriftScores.jensenShannon(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12,
                "normalised masses are equal");
        assertEquals(1, DriftScores.jensenShannon(new double[] {1, 0}, new double[] {0, 1}), 1e-12);
        // P = (1, 0), Q = (1/2, 1/2): M = (3/4, 1/4); JSD = 1/2 log2(4/3) + 1/4 log2(2/3) + 1/4 log2(2)
        double expected = 0.5 * log2(4.0 / 3) + 0.25 * log2(2.0 / 3) + 0.25;
        assertEquals(expected, DriftScores.jensenShannon(new double[] {1, 0}, new double[] {1, 1}), 1e-12);
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            double[] p = random.doubles(8).toArray();
            double[] q = random.doubles(8).toArray();
            double pq = DriftScores.jensenShannon(p, q);
            assertEquals(pq, DriftScores.jensenShannon(q, p), 1e-12);
            assertTrue(pq >= 0 && pq <= 1, "JSD " + pq);
        }
    }

    @Test
    void profilesOverDifferentCellsAreRejected() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> DriftScores.of(new double[2], new double[3]));
        assertEquals("expected profiles over the same cells, found 2 current and 3 baseline cells",
                error.getMessage());
    }

    private static double log2(double value) {
        return Math.log(value) / Math.log(2);
    }
}
