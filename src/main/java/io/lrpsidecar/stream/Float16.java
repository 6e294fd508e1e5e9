package io.lrpsidecar.stream;

/**
 * IEEE 754 binary16 (half precision) conversion, as Java 17 has none ({@code Float.floatToFloat16} came in Java 20).
 * Encoding rounds a double once, to the nearest half value with ties to even, exactly as numpy's
 * {@code astype(np.float16)} does: subnormal halves (multiples of 2⁻²⁴ below 2⁻¹⁴) are produced, magnitudes from
 * 65520 (halfway between the largest half, 65504, and 2¹⁶) overflow to ±infinity, signed zeros and infinities keep
 * their sign, and a NaN stays a NaN (quiet, with its sign and the top nine bits of its payload). Decoding is exact:
 * every half value is a double.
 */
public final class Float16 {
    /** The largest finite half value. */
    public static final double MAX_VALUE = 65504;
    /** The smallest magnitude that rounds to infinity: halfway between {@link #MAX_VALUE} and 2¹⁶. */
    public static final double OVERFLOW_THRESHOLD = 65520;

    private static final long DOUBLE_MANTISSA = (1L << 52) - 1;
    private static final int EXPONENT_ALL_ONES = 0x7c00;
    private static final int QUIET_NAN_BIT = 0x200;

    private Float16() {
    }

    /** The half nearest to {@code value} (ties to even), as its 16 bits. */
    public static short fromDouble(double value) {
        long bits = Double.doubleToRawLongBits(value);
        int sign = (int) (bits >>> 48) & 0x8000;
        long magnitude = bits & Long.MAX_VALUE;
        if (magnitude >= 0x7ff0_0000_0000_0000L) {
            return (short) (magnitude == 0x7ff0_0000_0000_0000L ? sign | EXPONENT_ALL_ONES
                    : sign | EXPONENT_ALL_ONES | QUIET_NAN_BIT | (int) (magnitude >>> 42) & 0x3ff);
        }
        int exponent = (int) (magnitude >>> 52) - 1023;
        if (exponent >= 16) {
            return (short) (sign | EXPONENT_ALL_ONES);
        }
        if (exponent >= -14) {
            long mantissa = magnitude & DOUBLE_MANTISSA;
            int half = ((exponent + 15) << 10) | (int) (mantissa >>> 42);
            // a carry out of the mantissa raises the exponent, up to infinity (0x7bff + 1 = 0x7c00)
            return (short) (sign | roundHalfEven(half, mantissa & ((1L << 42) - 1), 1L << 41));
        }
        if (exponent < -25) {
            return (short) sign;
        }
        // a subnormal half: the value is m * 2^-24 with m an integer from 0 to 1024 (1024 being the smallest normal)
        long significand = (magnitude & DOUBLE_MANTISSA) | (1L << 52);
        int shift = 28 - exponent;
        int m = (int) (significand >>> shift);
        return (short) (sign | roundHalfEven(m, significand & ((1L << shift) - 1), 1L << (shift - 1)));
    }

    private static int roundHalfEven(int truncated, long remainder, long halfway) {
        return remainder > halfway || (remainder == halfway && (truncated & 1) == 1) ? truncated + 1 : truncated;
    }

    /** The value of the half with bits {@code half}, exactly. */
    public static double toDouble(short half) {
        int bits = half & 0xffff;
        boolean negative = (bits & 0x8000) != 0;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double magnitude;
        if (exponent == 0) {
            magnitude = Math.scalb((double) mantissa, -24);
        } else if (exponent == 0x1f && mantissa != 0) {
            return Double.longBitsToDouble((negative ? Long.MIN_VALUE : 0) | 0x7ff8_0000_0000_0000L
                    | ((long) mantissa << 42));
        } else if (exponent == 0x1f) {
            magnitude = Double.POSITIVE_INFINITY;
        } else {
            magnitude = Math.scalb((double) (mantissa | 0x400), exponent - 25);
        }
        return negative ? -magnitude : magnitude;
    }
}
