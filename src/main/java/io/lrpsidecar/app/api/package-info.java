/**
 * The query API: explanations by event id (the original, or by composite name, spec or hash through
 * {@link io.lrpsidecar.app.api.CompositeResolver}; from the instance that keeps them, forwarded when another does),
 * every explanation of an event, recent explanations, heatmaps and feature bars as PNG, the regulator's report of a
 * tabular explanation ({@link io.lrpsidecar.app.api.RegulatorReport}, JSON or a print-ready page), synchronous ad-hoc
 * explanations, and replays of flagged predictions with their progress (failures by reason, replayed explanations).
 * Write endpoints require the API key and are rate-limited per key. At the edge
 * ({@link io.lrpsidecar.app.api.HttpEdge}) paths that could be read as another path are refused before routing, and
 * every error is a JSON {@link io.lrpsidecar.app.api.ApiError}.
 */
package io.lrpsidecar.app.api;
