/**
 * The query API: explanations by event id (from the instance that keeps them, forwarded when another does), recent
 * explanations, heatmaps and feature bars as PNG, synchronous ad-hoc explanations and replays of flagged predictions.
 * Write endpoints require the API key.
 */
package io.lrpsidecar.app.api;
