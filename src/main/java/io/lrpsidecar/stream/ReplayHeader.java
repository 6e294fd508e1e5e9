package io.lrpsidecar.stream;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The {@code lrp-replay-id} record header: it marks a replayed prediction, and the topology copies it onto the
 * explanation or dead letter that the prediction becomes, so that a replay's progress can be counted.
 */
public final class ReplayHeader {
    public static final String NAME = "lrp-replay-id";
    /** The longest replay id accepted (the service makes UUIDs). */
    public static final int MAX_LENGTH = 128;

    private ReplayHeader() {
    }

    /** The replay id of a record, if it has one. */
    public static Optional<String> of(Headers headers) {
        if (headers == null) {
            return Optional.empty();
        }
        Header header = headers.lastHeader(NAME);
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /** Headers holding only the given replay id, or none for a live prediction. */
    public static Headers with(String replayId) {
        RecordHeaders headers = new RecordHeaders();
        if (replayId != null) {
            headers.add(NAME, replayId.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }
}
