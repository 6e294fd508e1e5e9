/**
 * The query API: explanations by event id (from the instance that keeps them, forwarded when another does), recent
 * explanations, heatmaps and feature bars as PNG, synchronous ad-hoc explanations and replays of flagged predictions.
 * Write endpoints require the API key and are rate-limited per key. At the edge
 * ({@link io.lrpsidecar.app.api.HttpEdge}) paths that could be read as another path are refused before routing, and
 * every error is a JSON {@link io.lrpsidecar.app.api.ApiError}.
 */
package io.lrpsidecar.app.api;
