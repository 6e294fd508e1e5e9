package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The released writer schemas the sidecar still reads besides the current ones, so that records written before an
 * upgrade (explanations on the topic and in the query store) keep decoding. A released schema is the current one
 * without the optional fields added since its release, in it and in the records it nests, and without the enum
 * symbols added since (appended, so the other symbols keep their positions): same names and field order, hence the
 * parsing fingerprint of the released file ({@code ReleasedSchemasTest} checks it against
 * {@code avro-schemas/history}).
 */
public final class ReleasedSchemas {
    /** The fields added after version 1, by the full name of the record that gained them. */
    static final Map<String, List<String>> FIELDS_AFTER_V1 = Map.of(
            Explanation.getClassSchema().getFullName(), List.of("tokens", "label", "labelName", "reportedClass",
                    "reportedClassName", "reportedScores", "predictedClassName", "targetClassName", "probabilities",
                    "topClasses", "contrastClass", "contrastClassName", "faithfulness"),
            "io.lrpsidecar.events.v1.FeatureRelevance", List.of("value", "rawValue"),
            PredictionEvent.getClassSchema().getFullName(), List.of("contrastClass"));

    /**
     * The enum symbols added after version 1, by the full name of the enum. A version 1 reader cannot read a record
     * holding one of them (docs/adr/0010-float16-relevance.md); a record without them it reads.
     */
    static final Map<String, List<String>> SYMBOLS_AFTER_V1 = Map.of(
            DataType.getClassSchema().getFullName(), List.of(DataType.FLOAT16.name()));

    private ReleasedSchemas() {
    }

    /** The {@code Explanation} schemas released before the current one (version 1). */
    public static List<Schema> explanation() {
        return List.of(without(Explanation.getClassSchema(), FIELDS_AFTER_V1));
    }

    /** The current {@code Explanation} serde, reading the released versions too. */
    public static AvroSerde<Explanation> explanationSerde() {
        return new AvroSerde<>(Explanation.getClassSchema(), explanation());
    }

    /** The {@code PredictionEvent} schemas released before the current one (version 1). */
    public static List<Schema> predictionEvent() {
        return List.of(without(PredictionEvent.getClassSchema(), FIELDS_AFTER_V1));
    }

    /** The current {@code PredictionEvent} serde, reading events of producers still on version 1 too. */
    public static AvroSerde<PredictionEvent> predictionEventSerde() {
        return new AvroSerde<>(PredictionEvent.getClassSchema(), predictionEvent());
    }

    /** The {@code FlaggedPrediction} schemas released before the current one (version 1, nesting a v1 event). */
    public static List<Schema> flaggedPrediction() {
        return List.of(without(FlaggedPrediction.getClassSchema(), FIELDS_AFTER_V1));
    }

    /** The current {@code FlaggedPrediction} serde, reading records that nest a version 1 event too. */
    public static AvroSerde<FlaggedPrediction> flaggedPredictionSerde() {
        return new AvroSerde<>(FlaggedPrediction.getClassSchema(), flaggedPrediction());
    }

    /** {@code schema} with the {@code added} fields left out of every record it is or nests (arrays and unions). */
    private static Schema without(Schema schema, Map<String, List<String>> added) {
        return switch (schema.getType()) {
            case RECORD -> added.containsKey(schema.getFullName()) || nestsChanged(schema, added)
                    ? Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false,
                            schema.getFields().stream()
                                    .filter(field -> !added.getOrDefault(schema.getFullName(), List.of())
                                            .contains(field.name()))
                                    .map(field -> new Schema.Field(field, without(field.schema(), added))).toList())
                    : schema;
            case ARRAY -> Schema.createArray(without(schema.getElementType(), added));
            case UNION -> Schema.createUnion(schema.getTypes().stream().map(type -> without(type, added)).toList());
            case ENUM -> SYMBOLS_AFTER_V1.containsKey(schema.getFullName())
                    ? Schema.createEnum(schema.getName(), schema.getDoc(), schema.getNamespace(),
                            schema.getEnumSymbols().stream().filter(symbol -> !SYMBOLS_AFTER_V1
                                    .get(schema.getFullName()).contains(symbol)).toList())
                    : schema;
            default -> schema;
        };
    }

    private static boolean nestsChanged(Schema record, Map<String, List<String>> added) {
        return record.getFields().stream().anyMatch(field -> mentions(field.schema(), added));
    }

    private static boolean mentions(Schema schema, Map<String, List<String>> added) {
        return switch (schema.getType()) {
            case RECORD -> added.containsKey(schema.getFullName()) || nestsChanged(schema, added);
            case ARRAY -> mentions(schema.getElementType(), added);
            case UNION -> schema.getTypes().stream().anyMatch(type -> mentions(type, added));
            case ENUM -> SYMBOLS_AFTER_V1.containsKey(schema.getFullName());
            default -> false;
        };
    }
}
