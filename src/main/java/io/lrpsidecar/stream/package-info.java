/**
 * The sidecar stream: Avro single-object serdes, event validation, flags, and the Kafka Streams topology (Processor
 * API) that micro-batches predictions in a changelogged store and explains them with the compiled explainer.
 */
package io.lrpsidecar.stream;
