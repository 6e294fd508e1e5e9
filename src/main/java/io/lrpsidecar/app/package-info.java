/**
 * The Quarkus service: configuration, model loading, the Kafka Streams topology, health and metrics.
 */
package io.lrpsidecar.app;
