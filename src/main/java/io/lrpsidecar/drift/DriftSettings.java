package io.lrpsidecar.drift;

/**
 * How one model's attribution profiles are kept.
 *
 * @param baselineEvents the baseline is the first this many explanations (per input partition), unless pinned
 * @param windowEvents   the current window holds the most recent this many explanations (per input partition)
 * @param windowBlocks   the current window slides by blocks of {@code windowEvents / windowBlocks} events: it holds
 *                       between {@code windowEvents - blockEvents + 1} and {@code windowEvents} events once full,
 *                       in {@code windowBlocks} vectors of cell masses, whatever the traffic
 * @param gridRows       image inputs {@code [C,H,W]}: rows of the coarse grid
 * @param gridColumns    image inputs: columns of the coarse grid
 * @param tokenBuckets   token inputs: vocabulary buckets per position ({@code id mod tokenBuckets})
 */
public record DriftSettings(int baselineEvents, int windowEvents, int windowBlocks, int gridRows, int gridColumns,
        int tokenBuckets) {
    /** Defaults: 1000-event baseline and window, 10 blocks, a 4x4 grid, 16 token buckets. */
    public static final DriftSettings DEFAULTS = new DriftSettings(1000, 1000, 10, 4, 4, 16);

    public DriftSettings {
        if (baselineEvents < 1 || windowEvents < 1 || windowBlocks < 1 || windowBlocks > windowEvents
                || gridRows < 1 || gridColumns < 1 || tokenBuckets < 1) {
            throw new IllegalArgumentException("expected drift settings baseline-events >= 1, window-events >= 1, "
                    + "1 <= window-blocks <= window-events, grid-rows, grid-columns and token-buckets >= 1; found "
                    + this);
        }
    }

    /** The events of one block of the current window: {@code ceil(windowEvents / windowBlocks)}. */
    public int blockEvents() {
        return (windowEvents + windowBlocks - 1) / windowBlocks;
    }
}
