package io.lrpsidecar.testing;

import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.PredictionEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** PredictionEvent records written field by field, to give them length prefixes no Avro encoder would write. */
public final class HandcraftedAvro {
    /** A length just below Java's largest array: what a decoder that trusts it tries to allocate. */
    public static final long HOSTILE_LENGTH = (1L << 31) - 10;

    private HandcraftedAvro() {
    }

    /** Writes some of a PredictionEvent's fields. */
    @FunctionalInterface
    public interface Fields {
        void write(BinaryEncoder encoder) throws IOException;
    }

    /** The single-object header of a PredictionEvent, then the fields that {@code body} writes. */
    public static byte[] predictionEvent(Fields body) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0xC3, 0x01});
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(
                    SchemaNormalization.parsingFingerprint64(PredictionEvent.getClassSchema())).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            body.write(encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields of a {@code breast_cancer} version 2 event up to the input's dtype (FLOAT32). */
    public static void fieldsUpToShape(BinaryEncoder encoder) throws IOException {
        encoder.writeString("e");
        encoder.writeString("breast_cancer");
        encoder.writeString("2");
        encoder.writeLong(999_000L);
        encoder.writeEnum(DataType.FLOAT32.ordinal());
    }

    /** 16-odd bytes whose input shape array declares {@link #HOSTILE_LENGTH} items. */
    public static byte[] hostileShapeArray() {
        return predictionEvent(encoder -> {
            fieldsUpToShape(encoder);
            encoder.writeLong(HOSTILE_LENGTH);
        });
    }
}
