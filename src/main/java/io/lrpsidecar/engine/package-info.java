/**
 * The LRP engine: loading a classifier for explanation ({@link io.lrpsidecar.engine.ExplainableModel}),
 * targets, initialisation, explanations and the conservation ledger. Pure Java: no Kafka, Quarkus or ONNX Runtime
 * imports (checked by an architecture test).
 */
package io.lrpsidecar.engine;
