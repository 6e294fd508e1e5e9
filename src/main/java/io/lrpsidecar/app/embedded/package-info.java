/**
 * The single-node KRaft broker the service starts in-process when no Kafka cluster is configured (laptop demo).
 * Its classes are loaded only in that mode, so production images can leave the broker jars out.
 */
package io.lrpsidecar.app.embedded;
