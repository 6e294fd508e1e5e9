package io.lrpsidecar.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The value of the recent-explanations store: the time it was stored (8 bytes, big-endian epoch milliseconds)
 * followed by the single-object-encoded explanation exactly as published.
 */
final class StoredExplanation {
    private StoredExplanation() {
    }

    static byte[] encode(long storedAt, byte[] explanation) {
        return ByteBuffer.allocate(Long.BYTES + explanation.length).putLong(storedAt).put(explanation).array();
    }

    static long storedAt(byte[] stored) {
        return ByteBuffer.wrap(stored).getLong();
    }

    static byte[] explanation(byte[] stored) {
        return Arrays.copyOfRange(stored, Long.BYTES, stored.length);
    }
}
