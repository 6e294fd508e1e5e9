package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Float16} against every half value, values numpy's {@code np.float16} gives, and a reference that picks the
 * nearest half by exact decimal distances.
 */
class Float16Test {
    private static final long SEED = 20_260_316L;

    @Test
    void everyHalfValueRoundTripsThroughDouble() {
        int nans = 0;
        for (int bits = 0; bits < 0x10000; bits++) {
            short half = (short) bits;
            double value = Float16.toDouble(half);
            boolean nan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
            if (nan) {
                nans++;
                assertTrue(Double.isNaN(value), Integer.toHexString(bits));
                assertEquals(bits | 0x200, Float16.fromDouble(value) & 0xffff, "a NaN stays a quiet NaN with its sign "
                        + "and payload: " + Integer.toHexString(bits));
            } else {
                assertEquals(bits, Float16.fromDouble(value) & 0xffff, Integer.toHexString(bits) + " = " + value);
                assertEquals(bits, Float16.fromDouble((float) value) & 0xffff, "every half is a float too");
            }
        }
        assertEquals(2 * 1023, nans);
    }

    @Test
    void knownValuesAsNumpyRoundsThem() {
        assertHalf(0x3c00, 1.0);
        assertHalf(0x2e66, 0.1);
        assertHalf(0x3555, 1.0 / 3);
        assertHalf(0xc000, -2.0);
        assertHalf(0x8000, -0.0);
        assertHalf(0x7bff, 65504);
        assertHalf(0x7bff, 65519.999);
        assertHalf(0x7c00, Float16.OVERFLOW_THRESHOLD);
        assertHalf(0xfc00, -1e10);
        assertHalf(0x7c00, Double.POSITIVE_INFINITY);
        assertHalf(0x0400, Math.scalb(1.0, -14));
        assertHalf(0x03ff, Math.scalb(1023.0, -24));
        assertHalf(0x0400, Math.scalb(1023.5, -24));
        assertHalf(0x0001, Math.scalb(1.0, -24));
        assertHalf(0x0000, Math.scalb(1.0, -25));
        assertHalf(0x0001, Math.nextUp(Math.scalb(1.0, -25)));
        assertHalf(0x0002, Math.scalb(3.0, -25));
        assertHalf(0x0002, Math.scalb(5.0, -25));
        assertHalf(0x3c00, 1 + Math.scalb(1.0, -11));
        assertHalf(0x3c02, 1 + Math.scalb(3.0, -11));
        assertHalf(0x3c01, Math.nextUp(1 + Math.scalb(1.0, -11)));
        assertHalf(0x0000, Double.MIN_VALUE);
        assertHalf(0x8000, -Double.MIN_VALUE);
        assertTrue(Double.isNaN(Float16.toDouble(Float16.fromDouble(Double.NaN))));
        assertEquals(Float16.MAX_VALUE, Float16.toDouble((short) 0x7bff));
    }

    @Test
    void randomDoublesAndFloatsRoundToTheNearestHalfTiesToEven() {
        double[] halves = finiteNonNegativeHalves();
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 200_000; i++) {
            double magnitude = Math.scalb(1 + random.nextDouble(), random.nextInt(-27, 17));
            if (i % 2 == 1) {
                magnitude = (float) magnitude;
            }
            if (i % 7 == 0) {
                int at = random.nextInt(1, halves.length);
                magnitude = (halves[at - 1] + halves[at]) / 2;
            }
            double value = random.nextBoolean() ? -magnitude : magnitude;
            assertEquals(reference(value, halves), Float16.fromDouble(value) & 0xffff, "rounding " + value);
        }
    }

    /** Every finite half from +0 up, in increasing order (bits 0x0000 to 0x7bff, so the index is the bits). */
    private static double[] finiteNonNegativeHalves() {
        double[] halves = new double[0x7c00];
        for (int bits = 0; bits < halves.length; bits++) {
            halves[bits] = Float16.toDouble((short) bits);
        }
        return halves;
    }

    /** The nearest half by exact distances, ties to the even bits, from 65520 up infinity; with the sign. */
    private static int reference(double value, double[] halves) {
        int sign = Math.copySign(1.0, value) < 0 ? 0x8000 : 0;
        double magnitude = Math.abs(value);
        if (magnitude >= Float16.OVERFLOW_THRESHOLD) {
            return sign | 0x7c00;
        }
        int above = Arrays.binarySearch(halves, magnitude);
        if (above >= 0) {
            return sign | above;
        }
        above = -above - 1;
        if (above == halves.length) {
            return sign | (halves.length - 1);
        }
        int below = above - 1;
        BigDecimal exact = new BigDecimal(magnitude);
        int order = exact.subtract(new BigDecimal(halves[below])).compareTo(new BigDecimal(halves[above])
                .subtract(exact));
        int nearest = order < 0 ? below : order > 0 ? above : (below % 2 == 0 ? below : above);
        return sign | nearest;
    }

    private static void assertHalf(int expected, double value) {
        assertEquals(expected, Float16.fromDouble(value) & 0xffff, "half of " + value);
    }

    @Test
    void theReferenceItselfSeesTiesAndOverflow() {
        double[] halves = finiteNonNegativeHalves();
        List<Integer> seen = new ArrayList<>();
        for (double value : new double[] {1 + Math.scalb(1.0, -11), 65519.0, 65520.0, -Math.scalb(1.0, -25)}) {
            seen.add(reference(value, halves));
        }
        assertEquals(List.of(0x3c00, 0x7bff, 0x7c00, 0x8000), seen);
    }
}
