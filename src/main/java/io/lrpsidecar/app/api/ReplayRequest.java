package io.lrpsidecar.app.api;

import java.time.Instant;
import java.util.List;

/**
 * Which predictions to replay, all given criteria together: records of {@code topic} (default: the flagged topic;
 * any predictions topic works) published from {@code from} to {@code to}, with one of {@code eventIds}, carrying
 * {@code flag} (flagged topic only), in {@code partition} from {@code fromOffset} to {@code toOffset}; explained with
 * {@code composite} when given.
 */
public record ReplayRequest(String topic, Instant from, Instant to, List<String> eventIds, String flag,
        Integer partition, Long fromOffset, Long toOffset, String composite) {

    boolean selectsSomething() {
        return from != null || to != null || (eventIds != null && !eventIds.isEmpty()) || flag != null
                || partition != null || fromOffset != null || toOffset != null;
    }
}
