package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.PredictionEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutates single-object-encoded {@link PredictionEvent}s the four ways a hostile or broken producer would: bit flips,
 * hostile length prefixes, truncation and trailing bytes. Every choice comes from the given {@link Random}.
 */
final class EventMutator {
    /** The single-object header: two marker bytes and the 8-byte schema fingerprint. */
    static final int HEADER_BYTES = 10;
    /** A 10-byte varint, the longest a long can have: its value overflows 64 bits. */
    private static final byte[] OVERLONG = {-1, -1, -1, -1, -1, -1, -1, -1, -1, 1};

    private final Random random;

    /** A mutated record and how it was made. */
    record Mutant(byte[] bytes, String description) {
    }

    /** The kinds of mutation, used in turn. */
    enum Kind {
        BIT_FLIPS, LENGTH_PREFIX, TRUNCATION, EXTENSION
    }

    EventMutator(Random random) {
        this.random = random;
    }

    Mutant mutate(byte[] valid, Kind kind) {
        return switch (kind) {
            case BIT_FLIPS -> flipBits(valid);
            case LENGTH_PREFIX -> editLengthPrefix(valid);
            case TRUNCATION -> truncate(valid);
            case EXTENSION -> extend(valid);
        };
    }

    private Mutant flipBits(byte[] valid) {
        byte[] bytes = valid.clone();
        int flips = 1 + random.nextInt(8);
        int[] bits = new int[flips];
        for (int i = 0; i < flips; i++) {
            bits[i] = random.nextInt(bytes.length * 8);
            bytes[bits[i] / 8] ^= (byte) (1 << (bits[i] % 8));
        }
        return new Mutant(bytes, "bit flips at bits " + Arrays.toString(bits));
    }

    /** Overwrites one string, bytes, array or map length with a value no decoder should trust. */
    private Mutant editLengthPrefix(byte[] valid) {
        List<AvroLengthPrefixes.LengthPrefix> prefixes = AvroLengthPrefixes.of(PredictionEvent.getClassSchema(),
                valid, HEADER_BYTES);
        AvroLengthPrefixes.LengthPrefix prefix = prefixes.get(random.nextInt(prefixes.size()));
        int remaining = valid.length - prefix.end();
        int choice = random.nextInt(6);
        byte[] hostile = switch (choice) {
            case 0 -> AvroLengthPrefixes.zigzag((1L << 31) - 10);
            case 1 -> AvroLengthPrefixes.zigzag(Integer.MAX_VALUE);
            case 2 -> AvroLengthPrefixes.zigzag(-1);
            case 3 -> AvroLengthPrefixes.zigzag(Integer.MIN_VALUE);
            case 4 -> AvroLengthPrefixes.zigzag(remaining + 1 + random.nextInt(16));
            default -> OVERLONG;
        };
        byte[] bytes = new byte[prefix.start() + hostile.length + remaining];
        System.arraycopy(valid, 0, bytes, 0, prefix.start());
        System.arraycopy(hostile, 0, bytes, prefix.start(), hostile.length);
        System.arraycopy(valid, prefix.end(), bytes, prefix.start() + hostile.length, remaining);
        return new Mutant(bytes, "length of " + prefix.field() + " at byte " + prefix.start() + " set to varint "
                + hex(hostile));
    }

    private Mutant truncate(byte[] valid) {
        int length = random.nextInt(valid.length);
        return new Mutant(Arrays.copyOf(valid, length), "truncated to " + length + " of " + valid.length + " bytes");
    }

    private Mutant extend(byte[] valid) {
        byte[] extra = new byte[1 + random.nextInt(64)];
        random.nextBytes(extra);
        byte[] bytes = Arrays.copyOf(valid, valid.length + extra.length);
        System.arraycopy(extra, 0, bytes, valid.length, extra.length);
        return new Mutant(bytes, "extended by " + extra.length + " random bytes");
    }

    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b));
        }
        return text.toString();
    }
}
