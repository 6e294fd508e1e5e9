package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.SourcePosition;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Builds dead-letter records that keep the original bytes, headers and position with the reason. */
final class DeadLetters {
    private DeadLetters() {
    }

    static DeadLetter of(byte[] key, byte[] value, Headers headers, SourcePosition source, Rejection rejection,
            String errorClass, long timeMs) {
        Map<String, ByteBuffer> copied = new LinkedHashMap<>();
        if (headers != null) {
            for (Header header : headers) {
                copied.put(header.key(), header.value() == null ? ByteBuffer.allocate(0)
                        : ByteBuffer.wrap(header.value()));
            }
        }
        return DeadLetter.newBuilder()
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setHeaders(copied)
                .setSource(source)
                .setStage(rejection.stage())
                .setReason(rejection.reason())
                .setErrorClass(errorClass)
                .setErrorMessage(rejection.message())
                .setTime(Instant.ofEpochMilli(timeMs))
                .build();
    }
}
