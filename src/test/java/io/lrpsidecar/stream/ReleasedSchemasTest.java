package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.events.v1.ClassProbability;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FeatureRelevance;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.events.v1.TargetSource;
import io.lrpsidecar.events.v1.Timings;
import io.lrpsidecar.events.v1.Token;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Explanations written with the released version 1 schema still decode after fields were added, and a consumer that
 * knows only version 1 reads the records written now.
 */
class ReleasedSchemasTest {
    private static Schema releasedV1Explanation() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Schema explanation = null;
        for (String file : SchemaFiles.IN_DEPENDENCY_ORDER) {
            Schema parsed = parser.parse(Path.of("avro-schemas", "history", "v1", file).toFile());
            if (file.equals("Explanation.avsc")) {
                explanation = parsed;
            }
        }
        return explanation;
    }

    @Test
    void theDerivedV1EventSchemasHaveTheFingerprintsOfTheReleasedFiles() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> released = new java.util.HashMap<>();
        for (String file : SchemaFiles.IN_DEPENDENCY_ORDER) {
            Schema parsed = parser.parse(Path.of("avro-schemas", "history", "v1", file).toFile());
            released.put(parsed.getName(), parsed);
        }
        assertEquals(SchemaNormalization.parsingFingerprint64(released.get("PredictionEvent")),
                SchemaNormalization.parsingFingerprint64(ReleasedSchemas.predictionEvent().get(0)));
        assertEquals(SchemaNormalization.parsingFingerprint64(released.get("FlaggedPrediction")),
                SchemaNormalization.parsingFingerprint64(ReleasedSchemas.flaggedPrediction().get(0)));
    }

    @Test
    void theDerivedV1SchemaHasTheFingerprintOfTheReleasedFile() throws IOException {
        assertEquals(SchemaNormalization.parsingFingerprint64(releasedV1Explanation()),
                SchemaNormalization.parsingFingerprint64(ReleasedSchemas.explanation().get(0)));
    }

    @Test
    void anExplanationWrittenWithV1DecodesWithoutTokens() throws IOException {
        Schema v1 = releasedV1Explanation();
        BinaryMessageDecoder<GenericRecord> asV1 = new BinaryMessageDecoder<>(GenericData.get(), v1);
        asV1.addSchema(Explanation.getClassSchema());
        GenericRecord old = asV1.decode(new AvroSerde<Explanation>(Explanation.getClassSchema()).encode(sample()));
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();
        Explanation decoded = ReleasedSchemas.explanationSerde().decode(bytes);
        assertEquals("e1", decoded.getEventId());
        assertNull(decoded.getTokens());
        assertEquals(List.of(12L), decoded.getRelevance().getShape());
        assertEquals(List.of(1.5f, -0.5f), decoded.getLogits());
    }

    @Test
    void aVersion1ConsumerReadsAnExplanationWithTheFieldsAddedSince() throws IOException {
        Schema v1 = releasedV1Explanation();
        Explanation current = Explanation.newBuilder(sample()).setTokens(null)
                .setTopFeatures(List.of(FeatureRelevance.newBuilder().setIndex(0).setName("mean_radius")
                        .setRelevance(0.75).setValue(-0.12).setRawValue(13.68).build()))
                .setLabel(1).setLabelName("benign").setReportedClass(0).setReportedClassName("malignant")
                .setReportedScores(List.of(1.5f, -0.5f)).setPredictedClassName("malignant")
                .setTargetClassName("malignant").setProbabilities(List.of(0.8807970779778823, 0.11920292202211769))
                .setTopClasses(List.of(ClassProbability.newBuilder().setClassIndex(0).setName("malignant")
                        .setProbability(0.8807970779778823).build()))
                .build();
        byte[] written = new AvroSerde<Explanation>(Explanation.getClassSchema()).encode(current);

        BinaryMessageDecoder<GenericRecord> v1Consumer = new BinaryMessageDecoder<>(GenericData.get(), v1);
        v1Consumer.addSchema(Explanation.getClassSchema());
        GenericRecord read = v1Consumer.decode(written);

        assertEquals(v1, read.getSchema());
        assertEquals("e1", read.get("eventId").toString());
        assertEquals(List.of(1.5f, -0.5f), read.get("logits"));
        GenericRecord feature = (GenericRecord) ((List<?>) read.get("topFeatures")).get(0);
        assertEquals("mean_radius", feature.get("name").toString());
        assertEquals(0.75, feature.get("relevance"));
        assertEquals(List.of("index", "name", "relevance"), feature.getSchema().getFields().stream()
                .map(Schema.Field::name).toList(), "the version 1 FeatureRelevance");
        assertNull(read.getSchema().getField("probabilities"), "version 1 has no probabilities");
    }

    @Test
    void aVersion1ConsumerReadsFloat32RelevanceAndRefusesFloat16ByName() throws IOException {
        Schema v1 = releasedV1Explanation();
        AvroSerde<Explanation> serde = new AvroSerde<>(Explanation.getClassSchema());
        double[] relevance = {0.5, -0.25, 1.0 / 3};
        Explanation float32 = Explanation.newBuilder(sample()).setTokens(null)
                .setRelevance(RelevanceEncoding.FLOAT32.encode(List.of(3L), relevance)).build();
        Explanation float16 = Explanation.newBuilder(float32)
                .setRelevance(RelevanceEncoding.FLOAT16.encode(List.of(3L), relevance)).build();
        GenericData resolving = new GenericData();
        resolving.setFastReaderEnabled(false);
        // Avro's default (fast) generic reader and its resolving reader behave alike
        for (GenericData model : List.of(GenericData.get(), resolving)) {
            BinaryMessageDecoder<GenericRecord> v1Consumer = new BinaryMessageDecoder<>(model, v1);
            v1Consumer.addSchema(Explanation.getClassSchema());

            GenericRecord tensor = (GenericRecord) v1Consumer.decode(serde.encode(float32)).get("relevance");
            assertEquals("FLOAT32", tensor.get("dtype").toString());
            assertEquals(12, ((java.nio.ByteBuffer) tensor.get("data")).remaining());
            org.apache.avro.AvroTypeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    org.apache.avro.AvroTypeException.class, () -> v1Consumer.decode(serde.encode(float16)));
            assertTrue(refused.getMessage().endsWith("No match for FLOAT16"), refused.getMessage());
        }
        assertEquals(List.of(0.5, -0.25, 0.333251953125), java.util.Arrays.stream(TensorCodec.values(
                ReleasedSchemas.explanationSerde().decode(serde.encode(float16)).getRelevance())).boxed().toList(),
                "the current reader decodes it");
    }

    /** An explanation of a token model, tokens included. */
    private static Explanation sample() {
        return Explanation.newBuilder().setEventId("e1").setModelName("text").setModelVersion("1")
                .setModelSha256("sha").setComposite("attnlrp").setCompositeHash("0123456789abcdef").setTargetClass(0)
                .setTargetSource(TargetSource.PREDICTED).setTargetLogit(1.5).setLogits(List.of(1.5f, -0.5f))
                .setPredictedClass(0).setRelevance(TensorCodec.float32(List.of(12L), new double[12]))
                .setTopFeatures(List.of()).setRelevanceSum(0).setConservationError(0).setLedger(List.of())
                .setFlags(List.of()).setExecutionProvider("CPUExecutionProvider").setRuntimeVersions(Map.of())
                .setTimings(Timings.newBuilder().setQueueWaitMs(0).setBatchSize(1).setComputeMs(1).build())
                .setSource(SourcePosition.newBuilder().setTopic("predictions").setPartition(0).setOffset(3).build())
                .setTokens(List.of(Token.newBuilder().setId(1).setText("[CLS]").build()))
                .build();
    }
}
