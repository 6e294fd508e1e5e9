package io.lrpsidecar.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Finds where an Avro binary record declares a length: the length of each string and bytes value and the count of
 * each array and map block. It walks the writer schema over the bytes, so the varints it reports are exactly those a
 * decoder reads as lengths.
 */
final class AvroLengthPrefixes {
    private final byte[] bytes;
    private final List<LengthPrefix> found = new ArrayList<>();
    private int position;

    /**
     * One length or count varint.
     *
     * @param start the index of its first byte
     * @param end   the index after its last byte
     * @param field the schema path it belongs to, such as {@code input.shape[count]}
     */
    record LengthPrefix(int start, int end, String field) {
    }

    private AvroLengthPrefixes(byte[] bytes, int start) {
        this.bytes = bytes;
        this.position = start;
    }

    /** The length prefixes of the record of {@code schema} that starts at {@code start} and fills the rest. */
    static List<LengthPrefix> of(Schema schema, byte[] bytes, int start) {
        AvroLengthPrefixes walker = new AvroLengthPrefixes(bytes, start);
        walker.walk(schema, "");
        if (walker.position != bytes.length) {
            throw new IllegalArgumentException("expected one " + schema.getName() + " ending at byte "
                    + bytes.length + ", found its end at byte " + walker.position);
        }
        return walker.found;
    }

    /** Avro's zigzag varint encoding of {@code value}. */
    static byte[] zigzag(long value) {
        long encoded = (value << 1) ^ (value >> 63);
        byte[] buffer = new byte[10];
        int length = 0;
        while ((encoded & ~0x7FL) != 0) {
            buffer[length++] = (byte) ((encoded & 0x7F) | 0x80);
            encoded >>>= 7;
        }
        buffer[length++] = (byte) encoded;
        return Arrays.copyOf(buffer, length);
    }

    private void walk(Schema schema, String field) {
        switch (schema.getType()) {
            case RECORD -> schema.getFields().forEach(child -> walk(child.schema(), qualified(field, child.name())));
            case STRING, BYTES -> skip(lengthPrefix(field));
            case ARRAY -> blocks(schema.getElementType(), field, false);
            case MAP -> blocks(schema.getValueType(), field, true);
            case UNION -> walk(schema.getTypes().get(Math.toIntExact(varint())), field);
            case INT, LONG, ENUM -> varint();
            case FLOAT -> position += Float.BYTES;
            case DOUBLE -> position += Double.BYTES;
            case BOOLEAN -> position += 1;
            case FIXED -> position += schema.getFixedSize();
            case NULL -> {
            }
        }
    }

    private static String qualified(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }

    private void blocks(Schema items, String field, boolean map) {
        long count = lengthPrefix(field + "[count]");
        while (count != 0) {
            if (count < 0) {
                varint();
                count = -count;
            }
            for (long item = 0; item < count; item++) {
                if (map) {
                    skip(lengthPrefix(field + "{key}"));
                }
                walk(items, field + "[]");
            }
            count = lengthPrefix(field + "[count]");
        }
    }

    /** Moves past a value of {@code length} bytes. */
    private void skip(int length) {
        position += length;
    }

    private int lengthPrefix(String field) {
        int start = position;
        long length = varint();
        found.add(new LengthPrefix(start, position, field));
        return Math.toIntExact(length);
    }

    private long varint() {
        long encoded = 0;
        for (int shift = 0; ; shift += 7) {
            int next = bytes[position++] & 0xFF;
            encoded |= (long) (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                return (encoded >>> 1) ^ -(encoded & 1);
            }
        }
    }
}
