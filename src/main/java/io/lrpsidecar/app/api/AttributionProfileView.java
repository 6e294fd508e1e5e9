package io.lrpsidecar.app.api;

import io.lrpsidecar.drift.DriftScores;
import io.lrpsidecar.drift.ProfileLayout;
import io.lrpsidecar.drift.ProfileShare;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer of {@code GET /models/{model}/attribution-profile}: the baseline and current importance profiles of a
 * model merged over the partitions of every instance that answered, their scores against the alert thresholds, and
 * the partitions' raw shares (which another instance merges into its own answer).
 *
 * @param model       the model name
 * @param kind        {@code features}, {@code grid} or {@code tokens}
 * @param rows        grid rows, token positions, or 1 for features: the heatmap's rows
 * @param columns     grid columns, token buckets, or the feature count: the heatmap's columns
 * @param labels      a label per cell (feature names where configured), row by row
 * @param baseline    the baseline profile
 * @param current     the current window's profile
 * @param scores      the drift of the current profile from the baseline; null measures until the baseline is fixed
 * @param thresholds  the drift above which the bundled alert fires (docs/drift.md)
 * @param shares      the shares merged here, one per input partition
 * @param unanswered  the other instances ({@code host:port}) that did not answer: their partitions are missing
 */
public record AttributionProfileView(String model, String kind, int rows, int columns, List<String> labels,
        Profile baseline, Profile current, Scores scores, Scores thresholds, List<Share> shares,
        List<String> unanswered) {

    /**
     * One profile.
     *
     * @param importance per cell, |mean signed share of the evidence|, normalised to sum 1 (all 0 without events)
     * @param events     the events in it
     * @param complete   whether it is fixed (the baseline once full or pinned; the current window always is)
     * @param source     the baseline's source: {@code first-events}, {@code pinned} or {@code mixed}; null for the
     *                   current window
     * @param pinnedAt   when the baseline was last pinned, or null
     */
    public record Profile(double[] importance, long events, boolean complete,
            @Schema(nullable = true) String source, @Schema(nullable = true) Instant pinnedAt) {
    }

    /**
     * Drift measures.
     *
     * @param ndcgDrift {@code 1 - nDCG} (Clarify's rank agreement)
     * @param jsd       Jensen–Shannon divergence in bits
     */
    public record Scores(@Schema(nullable = true) Double ndcgDrift, @Schema(nullable = true) Double jsd) {
    }

    /**
     * One partition's raw share: summed signed contributions and counts, as {@link ProfileShare} keeps them.
     *
     * @param baseline         summed contributions of the baseline
     * @param baselineEvents   events in the baseline
     * @param baselineComplete whether the baseline is fixed
     * @param baselineSource   {@code first-events} or {@code pinned}
     * @param pinnedAtMs       when the baseline was pinned (epoch ms), 0 if never
     * @param current          summed contributions of the current window
     * @param currentEvents    events in the current window
     */
    public record Share(double[] baseline, long baselineEvents, boolean baselineComplete, String baselineSource,
            long pinnedAtMs, double[] current, long currentEvents) {
        static Share of(ProfileShare share) {
            return new Share(share.baseline(), share.baselineEvents(), share.baselineComplete(),
                    share.baselineSource(), share.pinnedAtMs(), share.current(), share.currentEvents());
        }

        ProfileShare profileShare() {
            return new ProfileShare(baseline, baselineEvents, baselineComplete, baselineSource, pinnedAtMs, current,
                    currentEvents);
        }
    }

    /** The view of {@code shares} merged (empty profiles when there are none). */
    static AttributionProfileView of(String model, ProfileLayout layout, List<Share> shares,
            List<String> unanswered) {
        ProfileShare merged = ProfileShare.merge(shares.stream().map(Share::profileShare).toList());
        if (merged == null) {
            merged = new ProfileShare(new double[layout.cells()], 0, false, ProfileShare.FIRST_EVENTS, 0,
                    new double[layout.cells()], 0);
        }
        DriftScores.Scores scores = merged.scores();
        int[] grid = heatmapShape(layout);
        return new AttributionProfileView(model, layout.kind(), grid[0], grid[1], layout.labels(),
                new Profile(merged.baselineImportance(), merged.baselineEvents(), merged.baselineComplete(),
                        merged.baselineSource(), merged.pinnedAtMs() == 0 ? null
                        : Instant.ofEpochMilli(merged.pinnedAtMs())),
                new Profile(merged.currentImportance(), merged.currentEvents(), true, null, null),
                new Scores(finite(scores.ndcgDrift()), finite(scores.jsd())),
                new Scores(DriftScores.NDCG_DRIFT_THRESHOLD, DriftScores.JSD_THRESHOLD), List.copyOf(shares),
                List.copyOf(unanswered));
    }

    private static int[] heatmapShape(ProfileLayout layout) {
        if (layout instanceof ProfileLayout.Grid grid) {
            return new int[] {grid.rows(), grid.columns()};
        }
        if (layout instanceof ProfileLayout.Tokens tokens) {
            return new int[] {tokens.positions(), tokens.buckets()};
        }
        return new int[] {1, layout.cells()};
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
