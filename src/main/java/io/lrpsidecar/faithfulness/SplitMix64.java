package io.lrpsidecar.faithfulness;

/**
 * Steele, Lea and Flood's SplitMix64 generator ("Fast splittable pseudorandom number generators", OOPSLA 2014):
 * {@code state += 0x9E3779B97F4A7C15}, then two xor-shift-multiply rounds. Chosen because it is a few lines in any
 * language, so an independent implementation (the Python check in {@code src/test/python}) draws the same random
 * orders and bootstrap samples.
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits. */
    public long next() {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A number in {@code [0, bound)}: the next 64 bits, unsigned, modulo {@code bound}. */
    public int below(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("expected a positive bound, found " + bound);
        }
        return (int) Long.remainderUnsigned(next(), bound);
    }

    /** A Fisher–Yates permutation of {@code 0..n-1}: for i from n−1 down to 1, swap i with {@link #below}(i + 1). */
    public int[] permutation(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = below(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
