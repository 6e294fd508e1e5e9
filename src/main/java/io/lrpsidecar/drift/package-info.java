/**
 * Attribution drift, pure arithmetic: where the relevance of an explanation goes ({@link ProfileLayout}: per feature,
 * per cell of a coarse image grid, per token position and vocabulary bucket), the rolling profiles of a model
 * ({@link AttributionProfile}: a baseline window and a block-based sliding current window, with their binary
 * encoding for a changelogged store), and the scores that compare them ({@link DriftScores}: nDCG as SageMaker
 * Clarify defines it, and the Jensen–Shannon divergence). It knows nothing of Kafka: the stream layer keeps the
 * profiles in its state stores, the edge layer serves and merges them.
 */
package io.lrpsidecar.drift;
