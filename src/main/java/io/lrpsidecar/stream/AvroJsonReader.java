package io.lrpsidecar.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrpsidecar.events.v1.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads the JSON form that {@link AvroJson} writes back into an Avro record: tensors as {@code {dtype, shape,
 * values}} (or {@code data}, base64 little-endian bytes), other bytes as base64, timestamps as ISO-8601 or epoch
 * milliseconds, optional fields omitted or null. Errors name the field, what was expected and what was found.
 */
public final class AvroJsonReader {
    private static final String TENSOR = "io.lrpsidecar.events.v1.Tensor";

    private AvroJsonReader() {
    }

    /** The record of class {@code type} that {@code json} describes. */
    public static <T extends SpecificRecord> T read(JsonNode json, Schema schema, Class<T> type) {
        Object generic = value(json, schema, "");
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            new GenericDatumWriter<>(schema).write(generic, encoder);
            encoder.flush();
            return new SpecificDatumReader<>(type).read(null,
                    DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object value(JsonNode json, Schema schema, String path) {
        switch (schema.getType()) {
            case UNION:
                return union(json, schema, path);
            case RECORD:
                return TENSOR.equals(schema.getFullName()) && json != null && json.has("values")
                        ? tensor(json, schema, path) : record(json, schema, path);
            case ENUM:
                expect(json != null && json.isTextual() && schema.getEnumSymbols().contains(json.asText()), path,
                        "one of " + schema.getEnumSymbols(), json);
                return new GenericData.EnumSymbol(schema, json.asText());
            case ARRAY:
                expect(json != null && json.isArray(), path, "an array", json);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < json.size(); i++) {
                    items.add(value(json.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return new GenericData.Array<>(schema, items);
            case MAP:
                expect(json != null && json.isObject(), path, "an object", json);
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext();) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    map.put(field.getKey(), value(field.getValue(), schema.getValueType(),
                            path + "." + field.getKey()));
                }
                return map;
            case STRING:
                expect(json != null && json.isTextual(), path, "a string", json);
                return json.asText();
            case BYTES:
                expect(json != null && json.isTextual(), path, "base64 text", json);
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(json.asText()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("expected base64 text at " + name(path) + ": "
                            + e.getMessage());
                }
            case INT:
                expect(json != null && json.canConvertToInt() && json.isIntegralNumber(), path, "an integer", json);
                return json.intValue();
            case LONG:
                return longValue(json, schema, path);
            case DOUBLE:
            case FLOAT:
                return number(json, path, schema.getType() == Schema.Type.FLOAT);
            case BOOLEAN:
                expect(json != null && json.isBoolean(), path, "true or false", json);
                return json.booleanValue();
            case NULL:
                expect(json == null || json.isNull(), path, "null", json);
                return null;
            default:
                throw new IllegalArgumentException("unsupported Avro type " + schema.getType() + " at " + name(path));
        }
    }

    private static Object union(JsonNode json, Schema schema, String path) {
        boolean nullable = schema.getTypes().stream().anyMatch(type -> type.getType() == Schema.Type.NULL);
        if (json == null || json.isNull()) {
            expect(nullable, path, "a value", json);
            return null;
        }
        List<Schema> branches = schema.getTypes().stream().filter(type -> type.getType() != Schema.Type.NULL)
                .toList();
        IllegalArgumentException last = null;
        for (Schema branch : branches) {
            try {
                return value(json, branch, path);
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        throw last;
    }

    private static GenericData.Record record(JsonNode json, Schema schema, String path) {
        expect(json != null && json.isObject(), path, "an object (" + schema.getName() + ")", json);
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode element = json.get(field.name());
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            if ((element == null || element.isNull()) && field.hasDefaultValue()) {
                record.put(field.pos(), GenericData.get().getDefaultValue(field));
            } else {
                record.put(field.pos(), value(element, field.schema(), fieldPath));
            }
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (schema.getField(name) == null) {
                throw new IllegalArgumentException("unknown field '" + name + "' in " + name(path) + "; expected "
                        + "fields " + schema.getFields().stream().map(Schema.Field::name).toList());
            }
        }
        return record;
    }

    /** A tensor given by its values: encoded as little-endian float32 unless {@code dtype} says otherwise. */
    private static GenericData.Record tensor(JsonNode json, Schema schema, String path) {
        JsonNode values = json.get("values");
        JsonNode shape = json.get("shape");
        expect(values.isArray(), path + ".values", "an array of numbers", values);
        expect(shape != null && shape.isArray(), path + ".shape", "an array of dimensions", shape);
        String dtype = json.hasNonNull("dtype") ? json.get("dtype").asText() : DataType.FLOAT32.name();
        expect(DataType.FLOAT32.name().equals(dtype) || DataType.FLOAT64.name().equals(dtype), path + ".dtype",
                "FLOAT32 or FLOAT64 when values are given", json.get("dtype"));
        boolean single = DataType.FLOAT32.name().equals(dtype);
        ByteBuffer data = ByteBuffer.allocate(values.size() * (single ? 4 : 8))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.size(); i++) {
            double value = number(values.get(i), path + ".values[" + i + "]", false);
            if (single) {
                data.putFloat((float) value);
            } else {
                data.putDouble(value);
            }
        }
        data.flip();
        GenericData.Record record = new GenericData.Record(schema);
        record.put("dtype", new GenericData.EnumSymbol(schema.getField("dtype").schema(), dtype));
        record.put("shape", value(shape, schema.getField("shape").schema(), path + ".shape"));
        record.put("data", data);
        return record;
    }

    private static long longValue(JsonNode json, Schema schema, String path) {
        if (json != null && json.isTextual() && "timestamp-millis".equals(logicalType(schema))) {
            try {
                return Instant.parse(json.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expected an ISO-8601 instant at " + name(path) + ", found '"
                        + json.asText() + "'");
            }
        }
        expect(json != null && json.isIntegralNumber() && json.canConvertToLong(), path, "an integer", json);
        return json.longValue();
    }

    private static double number(JsonNode json, String path, boolean single) {
        if (json != null && json.isTextual()) {
            switch (json.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        expect(json != null && json.isNumber(), path, "a number", json);
        return single ? json.floatValue() : json.doubleValue();
    }

    private static String logicalType(Schema schema) {
        return schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    }

    private static void expect(boolean condition, String path, String expected, JsonNode found) {
        if (!condition) {
            throw new IllegalArgumentException("expected " + expected + " at " + name(path) + ", found "
                    + (found == null ? "nothing" : found.isContainerNode() ? found.getNodeType().name().toLowerCase()
                    : found.toString()));
        }
    }

    private static String name(String path) {
        return path.isEmpty() ? "the top level" : "'" + path + "'";
    }
}
