package io.lrpsidecar.stream;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Walks Avro binary data against its writer schema before anything is decoded, and refuses every length that the
 * remaining bytes cannot hold: a string, bytes or fixed value longer than what is left, an array or map block whose
 * item count exceeds the bytes left (each item of a non-empty type takes at least one byte), a negative length, an
 * overlong varint, a union branch or enum symbol out of range, and trailing bytes after the record. Avro's decoder
 * allocates what a length prefix declares before it reads the data, so a 16-byte record declaring 2^31−10 array items
 * would otherwise exhaust the heap. The walk allocates nothing and costs one pass over the lengths (bytes values are
 * skipped, not read).
 */
final class BoundedAvroCheck {
    /** Items of a zero-byte type (null, empty record) that one collection may declare. */
    static final long MAX_EMPTY_ITEMS = 1 << 16;
    private static final int MAX_DEPTH = 64;

    private final byte[] data;
    private final int end;
    private int position;

    private BoundedAvroCheck(byte[] data, int offset) {
        this.data = data;
        this.position = offset;
        this.end = data.length;
    }

    /**
     * Checks the binary encoding of one datum of {@code schema} that starts at {@code offset} and must end exactly at
     * the end of {@code data}.
     *
     * @throws MalformedAvroException naming the offset and what was expected and found
     */
    static void check(Schema schema, byte[] data, int offset) {
        BoundedAvroCheck walk = new BoundedAvroCheck(data, offset);
        walk.datum(schema, 0);
        if (walk.position != walk.end) {
            throw new MalformedAvroException("expected the record to end at byte " + walk.position + ", found "
                    + (walk.end - walk.position) + " trailing bytes");
        }
    }

    private void datum(Schema schema, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedAvroException("expected at most " + MAX_DEPTH + " levels of nesting, found more at byte "
                    + position);
        }
        switch (schema.getType()) {
            case NULL -> {
            }
            case BOOLEAN -> skip(1, "boolean");
            case INT -> intValue("int");
            case LONG -> varint("long", "");
            case FLOAT -> skip(4, "float");
            case DOUBLE -> skip(8, "double");
            case STRING, BYTES -> skip(length(schema.getType().getName()), schema.getType().getName());
            case FIXED -> fixed(schema);
            case ENUM -> index(schema.getEnumSymbols().size(), "symbol of enum", schema);
            case UNION -> {
                List<Schema> branches = schema.getTypes();
                datum(branches.get(index(branches.size(), "branch of union", schema)), depth + 1);
            }
            case RECORD -> schema.getFields().forEach(field -> datum(field.schema(), depth + 1));
            case ARRAY -> blocks(schema.getElementType(), false, depth);
            case MAP -> blocks(schema.getValueType(), true, depth);
        }
    }

    /** Array or map blocks: a count (negative: followed by the block's byte size), the items, until a zero count. */
    private void blocks(Schema items, boolean map, int depth) {
        boolean empty = !map && encodesInZeroBytes(items, 0);
        while (true) {
            int at = position;
            long count = varint("block count", "");
            if (count == 0) {
                return;
            }
            if (count < 0) {
                if (count == Long.MIN_VALUE) {
                    throw new MalformedAvroException("block count at byte " + at + " is out of range");
                }
                count = -count;
                long size = varint("block size", "");
                if (size < 0 || size > remaining()) {
                    throw new MalformedAvroException("expected a block size of at most " + remaining()
                            + " bytes at byte " + at + ", found " + size);
                }
            }
            long limit = empty ? MAX_EMPTY_ITEMS : remaining();
            if (count > limit) {
                throw new MalformedAvroException("expected at most " + limit + " items in the block at byte " + at
                        + " (the bytes left), found " + count);
            }
            for (long item = 0; item < count; item++) {
                if (map) {
                    skip(length("map key"), "map key");
                }
                datum(items, depth + 1);
            }
        }
    }

    private static boolean encodesInZeroBytes(Schema schema, int depth) {
        return switch (schema.getType()) {
            case NULL -> true;
            case FIXED -> schema.getFixedSize() == 0;
            case RECORD -> depth < MAX_DEPTH && schema.getFields().stream()
                    .allMatch(field -> encodesInZeroBytes(field.schema(), depth + 1));
            default -> false;
        };
    }

    private int remaining() {
        return end - position;
    }

    private long length(String what) {
        int at = position;
        long length = varint(what, " length");
        if (length < 0 || length > remaining()) {
            throw new MalformedAvroException("expected a " + what + " length of 0 to " + remaining()
                    + " (the bytes left) at byte " + at + ", found " + length);
        }
        return length;
    }

    /** An enum symbol's or a union branch's index; {@code schema}, the enum or the union, is named on failure only. */
    private int index(int size, String what, Schema schema) {
        int at = position;
        long index = varint(what, "");
        if (index < 0 || index >= size) {
            String named = schema.getType() == Schema.Type.UNION ? schema.getTypes().toString() : schema.getFullName();
            throw new MalformedAvroException("expected a " + what + " " + named + " index of 0 to " + (size - 1)
                    + " at byte " + at + ", found " + index);
        }
        return (int) index;
    }

    private void intValue(String what) {
        int at = position;
        long value = varint(what, "");
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new MalformedAvroException("expected an int at byte " + at + ", found " + value);
        }
    }

    private void fixed(Schema schema) {
        if (schema.getFixedSize() > remaining()) {
            skip(schema.getFixedSize(), "fixed " + schema.getFullName());
        }
        position += schema.getFixedSize();
    }

    private void skip(long bytes, String what) {
        if (bytes > remaining()) {
            throw new MalformedAvroException("expected " + bytes + " bytes of " + what + " at byte " + position
                    + ", found " + remaining());
        }
        position += (int) bytes;
    }

    /**
     * A zig-zag encoded variable-length long of at most 10 bytes; {@code what} and {@code suffix} name it on failure
     * (kept apart so that the walk builds no string unless it fails).
     */
    private long varint(String what, String suffix) {
        int at = position;
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw new MalformedAvroException("expected a " + what + suffix + " at byte " + at + ", found the "
                        + "end of the record");
            }
            int b = data[position++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new MalformedAvroException("expected a " + what + suffix + " of at most 10 bytes at byte " + at
                + ", found a longer varint");
    }

    /** Binary Avro data that does not fit its schema or declares more than it holds. */
    static final class MalformedAvroException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedAvroException(String message) {
            super(message);
        }
    }
}
