package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.events.v1.DataType;
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
 * {@code avro-schemas/history/}), and the decoders read records written with an older registered schema. The one
 * documented exception (docs/adr/0010-float16-relevance.md) is the {@code DataType} symbol {@code FLOAT16}: a version
 * 1 reader cannot read a record that holds it, and only that.
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

    /**
     * The incompatibilities in both directions, except the documented one: old readers miss the {@code DataType}
     * symbol {@code FLOAT16} (written only for models configured with {@code relevance-encoding=float16}).
     */
    static List<String> undocumentedIncompatibilities(Schema released, Schema current) {
        List<String> problems = new ArrayList<>();
        var backward = SchemaCompatibility.checkReaderWriterCompatibility(current, released).getResult();
        backward.getIncompatibilities().forEach(problem -> problems.add("backward: " + problem));
        var forward = SchemaCompatibility.checkReaderWriterCompatibility(released, current).getResult();
        forward.getIncompatibilities().stream().filter(problem -> !isFloat16Symbol(problem))
                .forEach(problem -> problems.add("forward: " + problem));
        return problems;
    }

    private static boolean isFloat16Symbol(SchemaCompatibility.Incompatibility problem) {
        return problem.getType() == SchemaCompatibility.SchemaIncompatibilityType.MISSING_ENUM_SYMBOLS
                && problem.getReaderFragment().getFullName().equals(DataType.getClassSchema().getFullName())
                && problem.getMessage().equals("[FLOAT16]");
    }

    private static Path latestRelease() throws IOException {
        try (Stream<Path> versions = Files.list(SCHEMAS.resolve("history"))) {
            return versions.filter(Files::isDirectory).max(Comparator.comparing(Path::toString)).orElseThrow();
        }
    }

    @Test
    void theOnlyForwardIncompatibilityIsTheFloat16SymbolOfDataType() throws IOException {
        Schema released = new Schema.Parser().parse(latestRelease().resolve("DataType.avsc").toFile());
        Schema current = new Schema.Parser().parse(SCHEMAS.resolve("DataType.avsc").toFile());
        var forward = SchemaCompatibility.checkReaderWriterCompatibility(released, current).getResult();
        assertEquals(1, forward.getIncompatibilities().size(), forward.toString());
        assertTrue(isFloat16Symbol(forward.getIncompatibilities().get(0)), forward.toString());
        assertEquals(null, current.getEnumDefault(), "no enum default: a reader must never take an unknown element "
                + "type for another one");
        assertEquals(released.getEnumSymbols(), current.getEnumSymbols().subList(0, released.getEnumSymbols().size()),
                "new symbols are appended");
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
            assertEquals(List.of(), undocumentedIncompatibilities(released, current), file + " against " + latest);
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
