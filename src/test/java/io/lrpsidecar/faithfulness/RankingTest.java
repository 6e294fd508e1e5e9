package io.lrpsidecar.faithfulness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The random numbers, regions and orders that decide which elements a curve perturbs. */
class RankingTest {

    @Test
    void splitMix64GivesThePublishedOutputs() {
        SplitMix64 random = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, random.next());
        assertEquals(0x6E789E6AA1B965F4L, random.next());
        assertEquals(0x06C45D188009454FL, random.next());
    }

    @Test
    void boundedDrawsAndPermutationsMatchThePythonCheck() {
        SplitMix64 random = new SplitMix64(12345);
        int[] draws = new int[5];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = random.below(5);
        }
        // the same numbers faithfulness_check.py draws (next() mod n, unsigned)
        assertArrayEquals(new int[] {4, 2, 0, 0, 3}, draws);
        assertArrayEquals(new int[] {1, 5, 0, 2, 4, 3}, new SplitMix64(7).permutation(6));
        assertArrayEquals(new int[] {1, 4, 0, 2, 3}, Order.random(5, 20240101L, 0));
        assertArrayEquals(new int[] {3, 2, 4, 0, 1}, Order.reversed(new int[] {1, 0, 4, 2, 3}));
    }

    @Test
    void ordersBreakTiesByTheLowerRegion() {
        double[] scores = {1, 3, 3, 0, 1};
        assertArrayEquals(new int[] {1, 2, 0, 4, 3}, Order.MORF.rank(scores));
        assertArrayEquals(new int[] {3, 0, 4, 1, 2}, Order.LERF.rank(scores));
    }

    @Test
    void negativeAndPositiveZeroAreATie() {
        assertArrayEquals(new int[] {0, 1}, Order.MORF.rank(new double[] {-0.0, 0.0}));
        assertArrayEquals(new int[] {0, 1}, Order.LERF.rank(new double[] {0.0, -0.0}));
        assertThrows(IllegalStateException.class, () -> Order.RANDOM.rank(new double[] {1}));
    }

    @Test
    void imageCellsTakeEveryChannelAndShrinkAtTheEdges() {
        Regions regions = RegionSpec.parse("3x3").regions(new int[] {2, 8, 8});
        assertEquals(9, regions.count());
        assertEquals(0, regions.regionOf()[0]);
        assertEquals(2, regions.regionOf()[7]);
        assertEquals(8, regions.regionOf()[63]);
        assertEquals(8, regions.regionOf()[64 + 63]);
        assertEquals(4, regions.regionOf()[64 + 3 * 8 + 3]);
        double[] relevance = new double[128];
        relevance[7] = 1;
        relevance[64 + 6] = 2;
        relevance[63] = -1;
        double[] scores = regions.scores(relevance, 0);
        assertEquals(3, scores[2]);
        assertEquals(-1, scores[8]);
        // the lower-right cell is 2x2 in both channels: 8 elements
        boolean[] mask = regions.elementsOf(new int[] {8, 0, 1, 2, 3, 4, 5, 6, 7}, 1);
        int count = 0;
        for (boolean perturbed : mask) {
            count += perturbed ? 1 : 0;
        }
        assertEquals(8, count);
        assertEquals(16, RegionSpec.parse("2").regions(new int[] {1, 8, 8}).count());
        assertEquals(4, RegionSpec.parse("8x2").regions(new int[] {1, 8, 8}).count());
        assertEquals(30, RegionSpec.SINGLE.regions(new int[] {30}).count());
    }

    @Test
    void badRegionsSayWhatIsExpected() {
        for (String text : new String[] {"0", "2x", "axb", "2x2x2", "-1x2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegionSpec.parse(text));
            assertTrue(e.getMessage().contains("expected 1, N or RxC"), e.getMessage());
        }
        IllegalArgumentException tabular = assertThrows(IllegalArgumentException.class,
                () -> RegionSpec.parse("2x2").regions(new int[] {30}));
        assertTrue(tabular.getMessage().contains("region 1"), tabular.getMessage());
    }
}
