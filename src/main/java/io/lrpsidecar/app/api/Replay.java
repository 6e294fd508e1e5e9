package io.lrpsidecar.app.api;

import java.time.Instant;

/**
 * One replay: what it asked for, how many events it selected and when it started; its results are counted by its
 * {@link ReplayTally}.
 */
record Replay(String id, ReplayRequest request, int selected, Instant startedAt) {
}
