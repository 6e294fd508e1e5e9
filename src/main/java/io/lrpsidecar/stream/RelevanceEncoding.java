package io.lrpsidecar.stream;

import java.util.List;
import java.util.Locale;

/**
 * How an explanation's {@code relevance} tensor is written: as float32 (the default, readable by every version of the
 * schema) or as IEEE 754 half precision, half the bytes, relative error at most 2⁻¹¹ of each value in the normal range
 * (docs/adr/0010-float16-relevance.md). Only the wire tensor changes: top features, the relevance sum, the
 * conservation error and drift profiles are computed from the full-precision relevance either way.
 */
public enum RelevanceEncoding {
    /** Four bytes per value, as the explainer computes them. */
    FLOAT32,
    /**
     * Two bytes per value, rounded to nearest with ties to even. A row with a finite value of magnitude 65520 or more
     * (which would overflow to infinity) is written as float32 instead, so no finite relevance becomes infinite.
     */
    FLOAT16;

    /** Parses {@code float32} or {@code float16} (any case, surrounding blanks ignored). */
    public static RelevanceEncoding parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        for (RelevanceEncoding encoding : values()) {
            if (encoding.word().equals(trimmed)) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("relevance-encoding '" + text + "': expected float32 or float16");
    }

    /** The configuration word: {@code float32} or {@code float16}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One row's relevance as the wire tensor of this encoding. */
    public io.lrpsidecar.events.v1.Tensor encode(List<Long> shape, double[] relevance) {
        return this == FLOAT16 && fitsHalf(relevance) ? TensorCodec.float16(shape, relevance)
                : TensorCodec.float32(shape, relevance);
    }

    private static boolean fitsHalf(double[] values) {
        for (double value : values) {
            if (Double.isFinite(value) && Math.abs(value) >= Float16.OVERFLOW_THRESHOLD) {
                return false;
            }
        }
        return true;
    }
}
