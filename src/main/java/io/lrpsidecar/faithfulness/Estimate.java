package io.lrpsidecar.faithfulness;

import java.util.Arrays;

/**
 * A mean over rows with its spread and a bootstrap confidence interval.
 *
 * @param mean the mean over rows
 * @param sd   the sample standard deviation over rows ({@code n − 1} in the denominator; 0 for one row)
 * @param low  the lower end of the 95% percentile bootstrap interval of the mean
 * @param high the upper end
 * @param rows the number of rows
 */
public record Estimate(double mean, double sd, double low, double high, int rows) {
    /** Bootstrap resamples per interval. */
    public static final int RESAMPLES = 2000;
    /** The seed of the row resampling, the same for every estimate so that estimates on the same rows pair up. */
    public static final long SEED = 12345L;

    /**
     * The mean of {@code values} with a percentile bootstrap interval (Efron and Tibshirani 1993, ch. 13):
     * {@value #RESAMPLES} resamples of the rows with replacement, drawn by {@link SplitMix64} from {@value #SEED}
     * (index {@code below(n)} per draw, resample by resample), each resample's mean; the interval is the 2.5% and
     * 97.5% quantiles of those means, interpolated linearly between order statistics ({@code q·(B − 1)}).
     */
    public static Estimate of(double[] values) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("expected at least one row to estimate from, found none");
        }
        double mean = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        double sd = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
        SplitMix64 random = new SplitMix64(SEED);
        double[] means = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += values[random.below(n)];
            }
            means[b] = sum / n;
        }
        Arrays.sort(means);
        return new Estimate(mean, sd, quantile(means, 0.025), quantile(means, 0.975), n);
    }

    /** The paired difference {@code a_i − b_i} over the same rows. */
    public static Estimate difference(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("expected paired values over the same rows, found " + a.length
                    + " and " + b.length);
        }
        double[] difference = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            difference[i] = a[i] - b[i];
        }
        return of(difference);
    }

    /** Whether the interval holds {@code value}. */
    public boolean covers(double value) {
        return low <= value && value <= high;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        double fraction = position - below;
        return sorted[below] + (sorted[above] - sorted[below]) * fraction;
    }
}
