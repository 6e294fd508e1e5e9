package io.lrpsidecar.stream;

import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.CurveSettings;
import io.lrpsidecar.faithfulness.RegionSpec;
import io.lrpsidecar.graph.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * Which events of a model also get a short MoRF/LeRF perturbation curve in their batch flush, and how it is drawn.
 * The choice depends on the event id alone ({@link #sampled}), so a batch processed again after a crash samples the
 * same events.
 *
 * @param sample   the share of events measured, 0 to 1
 * @param steps    perturbation steps after the unperturbed input
 * @param region   the regions perturbed together
 * @param baseline what perturbed regions are replaced with
 */
public record FaithfulnessSampling(double sample, int steps, RegionSpec region, Baseline baseline) {
    /** The share sampled when the configuration does not say. */
    public static final double DEFAULT_SAMPLE = 0.01;
    /** The steps when the configuration does not say. */
    public static final int DEFAULT_STEPS = 8;
    /** The blur sigma of a bare {@code blur} baseline, in elements. */
    public static final double DEFAULT_BLUR_SIGMA = 1.0;
    /** The most perturbed rows in one forward run: enough for every sampled row of a batch of 512 events. */
    static final int MAX_FORWARD_ROWS = 1 << 16;
    private static final double TWO_TO_THE_64 = 0x1p64;

    public FaithfulnessSampling {
        if (!(sample >= 0 && sample <= 1)) {
            throw new IllegalArgumentException("expected faithfulness.sample to be a fraction from 0 to 1, found "
                    + sample);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("expected faithfulness.steps to be at least 1, found " + steps);
        }
    }

    /** The defaults: 1% of the events, 8 steps, single elements, zero baseline. */
    public static FaithfulnessSampling defaults() {
        return new FaithfulnessSampling(DEFAULT_SAMPLE, DEFAULT_STEPS, RegionSpec.SINGLE, new Baseline.Zero());
    }

    /** No event sampled. */
    public static FaithfulnessSampling off() {
        return new FaithfulnessSampling(0, DEFAULT_STEPS, RegionSpec.SINGLE, new Baseline.Zero());
    }

    /**
     * Settings from configuration text.
     *
     * @param region   {@code 1}, {@code N} or {@code RxC}
     * @param baseline {@code zero}, {@code blur}, {@code blur:SIGMA}, {@code pad:ID} or {@code @file.npy} (one row,
     *                 read now through {@code files}, never from events)
     * @param files    reads a configured {@code .npy} file
     */
    public static FaithfulnessSampling parse(double sample, int steps, String region, String baseline,
            Function<String, Tensor> files) {
        return new FaithfulnessSampling(sample, steps, RegionSpec.parse(region), baseline(baseline, files));
    }

    static Baseline baseline(String text, Function<String, Tensor> files) {
        String trimmed = text.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        try {
            if (lower.equals("zero")) {
                return new Baseline.Zero();
            }
            if (lower.equals("blur")) {
                return new Baseline.Blur(DEFAULT_BLUR_SIGMA);
            }
            if (lower.startsWith("blur:")) {
                return new Baseline.Blur(Double.parseDouble(trimmed.substring("blur:".length())));
            }
            if (lower.startsWith("pad:")) {
                return new Baseline.Pad(Long.parseLong(trimmed.substring("pad:".length())));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("faithfulness.baseline '" + text + "': expected a number after the "
                    + "colon (blur:SIGMA, pad:ID), found '" + trimmed.substring(trimmed.indexOf(':') + 1) + "'");
        }
        if (trimmed.startsWith("@") && trimmed.length() > 1) {
            Tensor values = files.apply(trimmed.substring(1));
            return new Baseline.Fixed(trimmed, values.asDoubles());
        }
        throw new IllegalArgumentException("faithfulness.baseline '" + text + "': expected zero, blur, blur:SIGMA, "
                + "pad:ID or @file.npy (one input row)");
    }

    /**
     * Whether the event of this id is measured: its id's 64-bit FNV-1a hash (UTF-8 bytes), mixed by SplitMix64's
     * finaliser and read as a fraction of 2^64, lies below {@link #sample}. 0 samples none, 1 every event.
     */
    public boolean sampled(String eventId) {
        if (sample <= 0) {
            return false;
        }
        if (sample >= 1) {
            return true;
        }
        return fraction(eventId) < sample;
    }

    /** The event id's position in [0, 1). */
    static double fraction(String eventId) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : eventId.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash = (hash ^ (hash >>> 30)) * 0xBF58476D1CE4E5B9L;
        hash = (hash ^ (hash >>> 27)) * 0x94D049BB133111EBL;
        hash ^= hash >>> 31;
        double unsigned = (hash >>> 1) * 2.0 + (hash & 1);
        return unsigned / TWO_TO_THE_64;
    }

    /** The curve settings of the stream: no random control, every perturbed row of a flush in one forward run. */
    public CurveSettings curveSettings() {
        return new CurveSettings(steps, region, baseline, CurveSettings.DEFAULT_SEED, MAX_FORWARD_ROWS);
    }
}
