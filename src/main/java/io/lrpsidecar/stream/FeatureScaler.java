package io.lrpsidecar.stream;

import java.util.List;

/**
 * How a model's input features were scaled from their raw values, per feature in flat C order, so that explanations
 * can show the raw value of a feature next to the value the model saw. The raw value is
 * {@code offset + value * scale}: for a standard scaler offset is the mean and scale the standard deviation, for a
 * min/max scaler (to [0, 1]) offset is the minimum and scale {@code max - min}.
 *
 * @param kind   which scaler the statistics come from
 * @param offset per feature, the raw value of a model value of 0
 * @param scale  per feature, the raw units of one model unit
 */
public record FeatureScaler(Kind kind, List<Double> offset, List<Double> scale) {

    /** The scaler the statistics come from. */
    public enum Kind {
        /** {@code value = (raw - mean) / std}. */
        STANDARD,
        /** {@code value = (raw - min) / (max - min)}. */
        MIN_MAX
    }

    public FeatureScaler {
        offset = List.copyOf(offset);
        scale = List.copyOf(scale);
        if (offset.isEmpty() || offset.size() != scale.size()) {
            throw new IllegalArgumentException("expected a feature scaler with as many " + names(kind)[0] + " as "
                    + names(kind)[1] + " values, at least one, found " + offset.size() + " and " + scale.size());
        }
        for (int i = 0; i < offset.size(); i++) {
            if (!Double.isFinite(offset.get(i)) || !Double.isFinite(scale.get(i)) || scale.get(i) < 0) {
                throw new IllegalArgumentException("expected finite feature scaler values and a non-negative "
                        + names(kind)[1] + ", found feature " + i + " with "
                        + statistic(kind, offset.get(i), scale.get(i)));
            }
        }
    }

    /** A standard scaler's statistics: {@code value = (raw - mean) / std}. */
    public static FeatureScaler standard(List<Double> mean, List<Double> std) {
        if (mean.size() != std.size()) {
            throw new IllegalArgumentException("expected a feature scaler with as many mean as std values, found "
                    + mean.size() + " and " + std.size());
        }
        return new FeatureScaler(Kind.STANDARD, mean, std);
    }

    /** A min/max scaler's statistics: {@code value = (raw - min) / (max - min)}. */
    public static FeatureScaler minMax(List<Double> min, List<Double> max) {
        if (min.size() != max.size()) {
            throw new IllegalArgumentException("expected a feature scaler with as many min as max values, found "
                    + min.size() + " and " + max.size());
        }
        List<Double> range = new java.util.ArrayList<>(min.size());
        for (int i = 0; i < min.size(); i++) {
            if (max.get(i) < min.get(i)) {
                throw new IllegalArgumentException("expected feature scaler max >= min, found feature " + i
                        + " with min " + min.get(i) + " and max " + max.get(i));
            }
            range.add(max.get(i) - min.get(i));
        }
        return new FeatureScaler(Kind.MIN_MAX, min, range);
    }

    /** The number of features it scales. */
    public int features() {
        return offset.size();
    }

    /** The raw value of feature {@code index} whose model value is {@code value}. */
    public double raw(int index, double value) {
        return offset.get(index) + value * scale.get(index);
    }

    private static String[] names(Kind kind) {
        return kind == Kind.STANDARD ? new String[] {"mean", "std"} : new String[] {"min", "max - min"};
    }

    private static String statistic(Kind kind, double offset, double scale) {
        return kind == Kind.STANDARD ? "mean " + offset + " and std " + scale
                : "min " + offset + " and max - min " + scale;
    }
}
