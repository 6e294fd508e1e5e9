/**
 * Benchmark harness (run with {@code mvn -Pbench verify}, not part of the test suite) and the benchmark models it
 * builds with random weights.
 */
package io.lrpsidecar.bench;
