/**
 * Runs compiled explainers through DJL on ONNX Runtime (CPU by default, CUDA with the GPU build), choosing the
 * execution provider and keeping one session per explainer.
 */
package io.lrpsidecar.runtime;
