package io.lrpsidecar.app.api;

/**
 * The failures of one reason in a replay's progress (the reasons of {@code predictions-dlq}): at which stage, how
 * many, and the event and message of the first.
 */
public record ReplayFailures(String stage, long count, String firstEventId, String firstMessage) {
}
