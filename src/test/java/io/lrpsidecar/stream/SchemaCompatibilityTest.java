package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.events.v1.PredictionEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The wire schemas stay backward and forward compatible with their last released version (the newest folder under
 * {@code avro-schemas/history/}), and the decoders read records written with an older registered schema.
 */
class SchemaCompatibilityTest {
    private static final Path SCHEMAS = Path.of("avro-schemas");

    /** Both directions: new readers read old data (backward) and old readers read new data (forward). */
    static List<String> incompatibilities(Schema released, Schema current) {
        List<String> problems = new ArrayList<>();
        var backward = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        if (backward.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("backward: " + backward.getDescription());
        }
        var forward = SchemaCompatibility.checkReaderWriterCompatibility(released, current);
        if (forward.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("forward: " + forward.getDescription());
        }
        return problems;
    }

    @Test
    void everyReleasedSchemaIsCompatibleWithTheCurrentOne() throws IOException {
        Path history = SCHEMAS.resolve("history");
        if (!Files.isDirectory(history)) {
            assertFalse(Files.exists(history), "avro-schemas/history must be a folder of released versions");
            return;
        }
        Path latest;
        try (Stream<Path> versions = Files.list(history)) {
            latest = versions.filter(Files::isDirectory).max(Comparator.comparing(Path::toString)).orElseThrow();
        }
        Schema.Parser releasedParser = new Schema.Parser();
        Schema.Parser currentParser = new Schema.Parser();
        for (String file : SchemaFiles.IN_DEPENDENCY_ORDER) {
            Schema released = releasedParser.parse(latest.resolve(file).toFile());
            Schema current = currentParser.parse(SCHEMAS.resolve(file).toFile());
            assertEquals(List.of(), incompatibilities(released, current), file + " against " + latest);
        }
    }

    @Test
    void theCheckCatchesABreakingChangeAndAcceptsAnOptionalField() {
        Schema current = PredictionEvent.getClassSchema();
        Schema withOptional = new Schema.Parser().parse(current.toString().replace(
                "{\"name\":\"traceparent\"", "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null},"
                        + "{\"name\":\"traceparent\""));
        assertEquals(List.of(), incompatibilities(current, withOptional));
        Schema withRequired = new Schema.Parser().parse(current.toString().replace(
                "{\"name\":\"traceparent\"", "{\"name\":\"region\",\"type\":\"string\"},{\"name\":\"traceparent\""));
        List<String> problems = incompatibilities(current, withRequired);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("backward"), problems.toString());
    }

    @Test
    void decodersReadRecordsWrittenWithAnOlderRegisteredSchema() throws IOException {
        Schema current = PredictionEvent.getClassSchema();
        Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false,
                current.getFields().stream().filter(field -> !field.name().equals("traceparent"))
                        .map(field -> new Schema.Field(field, field.schema())).toList());
        assertEquals(current.getFields().size() - 1, older.getFields().size(), "the older schema lacks traceparent");
        GenericRecord tensor = new GenericData.Record(older.getField("input").schema());
        tensor.put("dtype", new GenericData.EnumSymbol(tensor.getSchema().getField("dtype").schema(), "FLOAT32"));
        tensor.put("shape", List.of(1L));
        tensor.put("data", java.nio.ByteBuffer.wrap(new byte[4]));
        GenericRecord event = new GenericData.Record(older);
        event.put("eventId", "old-1");
        event.put("modelName", "m");
        event.put("modelVersion", "1");
        event.put("eventTime", 5L);
        event.put("input", tensor);
        event.put("reportedClass", 2);
        event.put("attributes", java.util.Map.of());
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older).encode(event).array();

        PredictionEvent decoded = new AvroSerde<PredictionEvent>(current, List.of(older)).decode(bytes);

        assertEquals("old-1", decoded.getEventId());
        assertEquals(2, decoded.getReportedClass());
        assertEquals(null, decoded.getTraceparent());
    }
}
