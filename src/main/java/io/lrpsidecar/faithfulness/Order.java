package io.lrpsidecar.faithfulness;

import java.util.Locale;

/**
 * An order in which regions are perturbed. {@link #RANDOM} is the control: a seeded random permutation per row, paired
 * with its reverse so that its ABPC (reverse minus forward) is 0 in expectation.
 */
public enum Order {
    /** Most relevant first: regions by descending relevance sum, the lower region index first on ties. */
    MORF,
    /** Least relevant first: regions by ascending relevance sum, the lower region index first on ties. */
    LERF,
    /** A random permutation (and its reverse, for the control's ABPC). */
    RANDOM;

    /** Parses {@code morf}, {@code lerf} or {@code random}. */
    public static Order parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("order '" + text + "': expected morf, lerf or random");
        }
    }

    /**
     * The regions of one row in this order ({@link #MORF} or {@link #LERF}), from their relevance sums.
     */
    public int[] rank(double[] scores) {
        if (this == RANDOM) {
            throw new IllegalStateException("a random order is drawn, not ranked");
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            // + 0.0 turns -0.0 into 0.0: Double.compare orders them, but they are equal scores, a tie
            int byScore = this == MORF ? Double.compare(scores[b] + 0.0, scores[a] + 0.0)
                    : Double.compare(scores[a] + 0.0, scores[b] + 0.0);
            return byScore != 0 ? byScore : Integer.compare(a, b);
        });
        return java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** The random order of row {@code row}: {@link SplitMix64#permutation} seeded with {@code seed + row}. */
    public static int[] random(int regions, long seed, int row) {
        return new SplitMix64(seed + row).permutation(regions);
    }

    /** The same regions in reverse order. */
    public static int[] reversed(int[] order) {
        int[] reversed = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            reversed[i] = order[order.length - 1 - i];
        }
        return reversed;
    }
}
