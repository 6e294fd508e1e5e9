package io.lrpsidecar.app.health;

import java.util.ArrayList;
import java.util.List;

/** One-line descriptions of exceptions, for log lines and health data that must not span lines. */
final class Causes {
    private static final int MESSAGE_LIMIT = 300;

    private Causes() {
    }

    /**
     * The chain of {@code failure} as {@code Type: first line of message <- Type: ...}, each message cut at its first
     * line break (Kafka Streams puts whole stack traces into some messages) and at {@value #MESSAGE_LIMIT} characters.
     */
    static String oneLine(Throwable failure) {
        List<String> parts = new ArrayList<>();
        for (Throwable cause = failure; cause != null && parts.size() < 8; cause = cause.getCause()) {
            String message = cause.getMessage() == null ? "" : cause.getMessage().strip();
            int lineBreak = message.indexOf('\n');
            if (lineBreak >= 0) {
                message = message.substring(0, lineBreak).strip();
            }
            if (message.length() > MESSAGE_LIMIT) {
                message = message.substring(0, MESSAGE_LIMIT) + "...";
            }
            parts.add(cause.getClass().getName() + (message.isEmpty() ? "" : ": " + message));
            if (cause.getCause() == cause) {
                break;
            }
        }
        return String.join(" <- ", parts);
    }
}
