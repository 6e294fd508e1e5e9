/**
 * The project's own immutable ONNX graph model, read from and written to protobuf, with shape inference,
 * constant folding and the canonicalization passes that bring dense layers into one form. No engine, Kafka,
 * Quarkus or ONNX Runtime code.
 */
package io.lrpsidecar.graph;
