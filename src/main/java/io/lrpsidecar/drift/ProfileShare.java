package io.lrpsidecar.drift;

import java.util.List;

/**
 * An immutable view of profiles over the same cells: one partition's share, or several merged. Masses are sums of
 * event contributions (each summing to 1), so a mass divided by its count is the mean contribution.
 *
 * @param baseline         the baseline's summed contributions
 * @param baselineEvents   the events in the baseline
 * @param baselineComplete whether the baseline is fixed (full, or pinned); scores compare only fixed baselines
 * @param baselineSource   {@code first-events} or {@code pinned} ({@code mixed} when merged shares differ)
 * @param pinnedAtMs       when the baseline was pinned (the latest pin of merged shares), 0 if never
 * @param current          the current window's summed contributions
 * @param currentEvents    the events in the current window
 */
public record ProfileShare(double[] baseline, long baselineEvents, boolean baselineComplete, String baselineSource,
        long pinnedAtMs, double[] current, long currentEvents) {
    /** How a baseline of the first explanations is named. */
    public static final String FIRST_EVENTS = "first-events";
    /** How a pinned baseline is named. */
    public static final String PINNED = "pinned";
    /** How merged shares of different sources are named. */
    public static final String MIXED = "mixed";

    public ProfileShare {
        baseline = baseline.clone();
        current = current.clone();
        if (baseline.length != current.length) {
            throw new IllegalArgumentException("expected baseline and current profiles over the same cells, found "
                    + baseline.length + " and " + current.length);
        }
    }

    @Override
    public double[] baseline() {
        return baseline.clone();
    }

    @Override
    public double[] current() {
        return current.clone();
    }

    /** The scores of the current window against the baseline; NaN until the baseline is fixed and both have mass. */
    public DriftScores.Scores scores() {
        if (!baselineComplete || baselineEvents == 0 || currentEvents == 0) {
            return new DriftScores.Scores(Double.NaN, Double.NaN);
        }
        return DriftScores.of(current, baseline);
    }

    /**
     * The shares summed: masses and counts add up; the baseline is fixed when the baseline of every share that has
     * seen events is. Null when {@code shares} is empty.
     */
    public static ProfileShare merge(List<ProfileShare> shares) {
        if (shares.isEmpty()) {
            return null;
        }
        int cells = shares.get(0).baseline.length;
        double[] baseline = new double[cells];
        double[] current = new double[cells];
        long baselineEvents = 0;
        long currentEvents = 0;
        boolean complete = true;
        boolean anyEvents = false;
        long pinnedAt = 0;
        String source = null;
        for (ProfileShare share : shares) {
            if (share.baseline.length != cells) {
                throw new IllegalArgumentException("expected shares over " + cells + " cells, found one over "
                        + share.baseline.length);
            }
            for (int cell = 0; cell < cells; cell++) {
                baseline[cell] += share.baseline[cell];
                current[cell] += share.current[cell];
            }
            baselineEvents += share.baselineEvents;
            currentEvents += share.currentEvents;
            pinnedAt = Math.max(pinnedAt, share.pinnedAtMs);
            if (share.baselineEvents > 0 || share.currentEvents > 0) {
                anyEvents = true;
                complete &= share.baselineComplete;
                source = source == null || source.equals(share.baselineSource) ? share.baselineSource : MIXED;
            }
        }
        return new ProfileShare(baseline, baselineEvents, anyEvents && complete,
                source == null ? FIRST_EVENTS : source, pinnedAt, current, currentEvents);
    }
}
