package io.lrpsidecar.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for generated Avro records in Avro's single-object encoding (a 2-byte marker, the writer schema's
 * 64-bit fingerprint, then the binary record), so any Avro library decodes them with the schema from
 * {@code avro-schemas/} and no registry. Older writer schemas given at construction are resolved to the current one.
 * Decoding is bounded: before Avro allocates anything, {@link BoundedAvroCheck} refuses every length prefix that the
 * record's remaining bytes cannot hold, so the memory one record takes is bounded by its size.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T> implements Serde<T> {
    /** The single-object header: marker C3 01 and the writer schema's 8-byte fingerprint. */
    private static final int HEADER_LENGTH = 10;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    /** Writer schemas by their 64-bit parsing fingerprint, as the single-object header names them. */
    private final Map<Long, Schema> writers = new HashMap<>();

    /**
     * Records are created by a model bound to this class's loader, not Avro's shared {@code SpecificData.get()}:
     * that one caches classes by name across every application in the JVM, so with two Quarkus applications in one
     * JVM (as in the test suite) it hands out the other application's classes.
     */
    public AvroSerde(Schema schema, List<Schema> olderWriterSchemas) {
        SpecificData model = new SpecificData(AvroSerde.class.getClassLoader());
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        olderWriterSchemas.forEach(decoder::addSchema);
        writers.put(SchemaNormalization.parsingFingerprint64(schema), schema);
        olderWriterSchemas.forEach(older -> writers.putIfAbsent(SchemaNormalization.parsingFingerprint64(older),
                older));
    }

    public AvroSerde(Schema schema) {
        this(schema, List.of());
    }

    public byte[] encode(T record) {
        try {
            return encoder.encode(record).array();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + record.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes single-object-encoded bytes of a known writer schema, after checking that every length they declare
     * fits in them; fails with an {@link IOException} or a runtime exception naming what was expected and found.
     */
    public T decode(byte[] bytes) throws IOException {
        BoundedAvroCheck.check(writerSchema(bytes), bytes, HEADER_LENGTH);
        return decoder.decode(bytes);
    }

    private Schema writerSchema(byte[] bytes) throws IOException {
        if (bytes.length < HEADER_LENGTH || (bytes[0] & 0xff) != 0xC3 || bytes[1] != 0x01) {
            throw new IOException("expected Avro single-object encoding (marker C3 01 and an 8-byte schema "
                    + "fingerprint), found " + (bytes.length < 2 ? bytes.length + " bytes" : String.format(
                    "marker %02X %02X", bytes[0], bytes[1])));
        }
        long fingerprint = 0;
        for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (bytes[i] & 0xff);
        }
        Schema writer = writers.get(fingerprint);
        if (writer == null) {
            throw new IOException(String.format("expected the fingerprint of a known %s schema, found %016x",
                    writers.values().iterator().next().getName(), fingerprint));
        }
        return writer;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : encode(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decode(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot decode a record of topic " + topic, e);
            }
        };
    }
}
