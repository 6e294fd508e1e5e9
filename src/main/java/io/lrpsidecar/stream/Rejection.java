package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.FailedStage;

/**
 * Why a record goes to the dead-letter topic.
 *
 * @param stage   where it failed
 * @param reason  a short machine-friendly reason ({@code shape-mismatch})
 * @param message what was expected and what was found
 */
public record Rejection(FailedStage stage, String reason, String message) {
}
