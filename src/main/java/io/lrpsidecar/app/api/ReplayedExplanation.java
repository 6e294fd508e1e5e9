package io.lrpsidecar.app.api;

/**
 * One explanation a replay produced, in its progress: the event, the composite, and the addresses of the replayed
 * explanation and of its heatmap ({@code origin=replay}: the replayed one even when the original has the same
 * composite).
 */
public record ReplayedExplanation(String eventId, String composite, String compositeHash, String url,
        String heatmapUrl) {
}
