package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.events.v1.Truncation;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Builds dead-letter records that keep the original bytes, headers and position with the reason, and that always fit
 * the dead-letter topic: a dead letter whose original key, value and headers would exceed {@code maxRecordBytes}
 * keeps a prefix of the key and of the value, drops the headers if they are large, and records the full lengths and
 * SHA-256 digests in its {@link Truncation}. Error messages are cut at {@link #MAX_MESSAGE_CHARS} characters, since they
 * may quote what the record carried.
 */
final class DeadLetters {
    /** Longest error message kept, in characters. */
    static final int MAX_MESSAGE_CHARS = 2000;
    /**
     * Room kept for everything besides key, value and headers: position, reason, class, message (at most 3 bytes a
     * character in UTF-8), Avro and Kafka framing.
     */
    static final int FIXED_OVERHEAD_BYTES = 16 * 1024;
    /** Bytes of Avro and Kafka framing counted for each header. */
    private static final int HEADER_OVERHEAD_BYTES = 16;

    private final int maxRecordBytes;

    /**
     * @param maxRecordBytes the largest dead-letter record, key included, that the producer and the dead-letter topic
     *                       accept ({@code max.request.size}, {@code max.message.bytes}); at least twice the fixed
     *                       overhead
     */
    DeadLetters(int maxRecordBytes) {
        if (maxRecordBytes < 2 * FIXED_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("expected a dead-letter size limit of at least "
                    + 2 * FIXED_OVERHEAD_BYTES + " bytes, found " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    /** A dead letter and the Kafka key to send it with (the original key, cut like the one inside). */
    record Letter(byte[] kafkaKey, DeadLetter letter) {
    }

    Letter of(byte[] key, byte[] value, Headers headers, SourcePosition source, Rejection rejection,
            String errorClass, long timeMs) {
        Map<String, ByteBuffer> copied = new LinkedHashMap<>();
        long headerBytes = 0;
        if (headers != null) {
            for (Header header : headers) {
                byte[] headerValue = header.value() == null ? new byte[0] : header.value();
                copied.put(header.key(), ByteBuffer.wrap(headerValue));
                headerBytes += header.key().length() * 3L + headerValue.length + HEADER_OVERHEAD_BYTES;
            }
        }
        int keyLength = key == null ? 0 : key.length;
        int valueLength = value == null ? 0 : value.length;
        long budget = maxRecordBytes - FIXED_OVERHEAD_BYTES;
        Truncation truncation = null;
        byte[] keptKey = key;
        byte[] keptValue = value;
        // the key counts twice: inside the dead letter and as the Kafka record's key
        if (2L * keyLength + valueLength + headerBytes > budget) {
            int headersDropped = 0;
            if (headerBytes > budget / 8) {
                headersDropped = copied.size();
                copied.clear();
                headerBytes = 0;
            }
            int keyKept = (int) Math.min(keyLength, budget / 16);
            int valueKept = (int) Math.min(valueLength, budget - 2L * keyKept - headerBytes);
            keptKey = key == null ? null : Arrays.copyOf(key, keyKept);
            keptValue = value == null ? null : Arrays.copyOf(value, valueKept);
            truncation = Truncation.newBuilder().setKeyLength(keyLength).setKeySha256(sha256(key))
                    .setValueLength(valueLength).setValueSha256(sha256(value)).setHeadersDropped(headersDropped)
                    .build();
        }
        String message = rejection.message();
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "… (" + message.length() + " characters)";
        }
        DeadLetter letter = DeadLetter.newBuilder()
                .setKey(keptKey == null ? null : ByteBuffer.wrap(keptKey))
                .setValue(keptValue == null ? null : ByteBuffer.wrap(keptValue))
                .setHeaders(copied)
                .setSource(source)
                .setStage(rejection.stage())
                .setReason(rejection.reason())
                .setErrorClass(errorClass)
                .setErrorMessage(message)
                .setTime(Instant.ofEpochMilli(timeMs))
                .setTruncation(truncation)
                .build();
        return new Letter(keptKey, letter);
    }

    private static String sha256(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
