/**
 * Health that matches reality: the Kafka Streams state as a listener sees it, the uncaught-exception policy of its
 * threads, a background probe of the broker and the input topics, and the liveness and readiness checks built on
 * them. The checks answer from cached state only, so they never wait on the broker.
 */
package io.lrpsidecar.app.health;
