package io.lrpsidecar.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;
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
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T> implements Serde<T> {
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

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

    /** Decodes single-object-encoded bytes; fails with an {@link IOException} or an Avro runtime exception. */
    public T decode(byte[] bytes) throws IOException {
        return decoder.decode(bytes);
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
