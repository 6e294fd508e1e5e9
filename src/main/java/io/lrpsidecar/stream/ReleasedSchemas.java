package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.Explanation;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The released writer schemas the sidecar still reads besides the current ones, so that records written before an
 * upgrade (explanations on the topic and in the query store) keep decoding. A released schema is the current one
 * without the optional fields added since its release: same names and field order, hence the parsing fingerprint of
 * the released file ({@code ReleasedSchemasTest} checks it against {@code avro-schemas/history}).
 */
public final class ReleasedSchemas {
    /** The fields of {@code Explanation} added after version 1. */
    static final List<String> EXPLANATION_FIELDS_AFTER_V1 = List.of("tokens");

    private ReleasedSchemas() {
    }

    /** The {@code Explanation} schemas released before the current one (version 1). */
    public static List<Schema> explanation() {
        return List.of(without(Explanation.getClassSchema(), EXPLANATION_FIELDS_AFTER_V1));
    }

    /** The current {@code Explanation} serde, reading the released versions too. */
    public static AvroSerde<Explanation> explanationSerde() {
        return new AvroSerde<>(Explanation.getClassSchema(), explanation());
    }

    private static Schema without(Schema record, List<String> added) {
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false,
                record.getFields().stream().filter(field -> !added.contains(field.name()))
                        .map(field -> new Schema.Field(field, field.schema())).toList());
    }
}
