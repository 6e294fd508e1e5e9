package io.lrpsidecar.app.openapi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;

/**
 * OpenAPI schemas of the JSON form in which the API reads and writes Avro records ({@code io.lrpsidecar.stream
 * .AvroJson}): records as objects (a field without an Avro default is required), enums as strings, bytes as base64,
 * {@code timestamp-millis} as ISO-8601, non-finite doubles as the strings {@code NaN}, {@code Infinity} and
 * {@code -Infinity}, and tensors as {@code {dtype, shape, values}}. Every named type becomes one component, named by
 * its simple name.
 */
public final class AvroSchemas {
    /** The Avro full name of the tensor record, which has its own JSON form. */
    static final String TENSOR = "io.lrpsidecar.events.v1.Tensor";
    private static final String COMPONENTS = "#/components/schemas/";
    private final Map<String, Schema> components = new LinkedHashMap<>();

    /** Adds {@code schema} and every named type it uses as components; returns a reference to it. */
    public Schema add(org.apache.avro.Schema schema) {
        return convert(schema);
    }

    /** The components added so far, by name, in the order they were first met. */
    public Map<String, Schema> components() {
        return Collections.unmodifiableMap(components);
    }

    /** A reference to the component {@code name}. */
    public static Schema reference(String name) {
        return OASFactory.createSchema().ref(COMPONENTS + name);
    }

    private Schema convert(org.apache.avro.Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> named(schema, () -> TENSOR.equals(schema.getFullName()) ? tensor(schema) : record(schema));
            case ENUM -> named(schema, () -> described(OASFactory.createSchema().addType(SchemaType.STRING)
                    .enumeration(new ArrayList<>(schema.getEnumSymbols())), schema.getDoc()));
            case FIXED -> named(schema, AvroSchemas::base64);
            case UNION -> union(schema);
            case ARRAY -> OASFactory.createSchema().addType(SchemaType.ARRAY).items(convert(schema.getElementType()));
            case MAP -> OASFactory.createSchema().addType(SchemaType.OBJECT)
                    .additionalPropertiesSchema(convert(schema.getValueType()));
            case STRING -> OASFactory.createSchema().addType(SchemaType.STRING);
            case BYTES -> base64();
            case INT -> OASFactory.createSchema().addType(SchemaType.INTEGER).format("int32");
            case LONG -> "timestamp-millis".equals(logicalType(schema))
                    ? OASFactory.createSchema().addType(SchemaType.STRING).format("date-time")
                    : OASFactory.createSchema().addType(SchemaType.INTEGER).format("int64");
            case FLOAT, DOUBLE -> real();
            case BOOLEAN -> OASFactory.createSchema().addType(SchemaType.BOOLEAN);
            case NULL -> OASFactory.createSchema().addType(SchemaType.NULL);
        };
    }

    private Schema named(org.apache.avro.Schema schema, Supplier<Schema> definition) {
        String name = schema.getName();
        if (!components.containsKey(name)) {
            components.put(name, OASFactory.createSchema());
            components.put(name, definition.get());
        }
        return reference(name);
    }

    private Schema record(org.apache.avro.Schema schema) {
        Schema object = described(OASFactory.createSchema().addType(SchemaType.OBJECT), schema.getDoc());
        List<String> required = new ArrayList<>();
        for (org.apache.avro.Schema.Field field : schema.getFields()) {
            Schema property = convert(field.schema());
            if (field.doc() != null) {
                property = property.getRef() != null
                        ? OASFactory.createSchema().addAllOf(property).description(field.doc())
                        : property.description(field.doc());
            }
            object.addProperty(field.name(), property);
            if (!field.hasDefaultValue()) {
                required.add(field.name());
            }
        }
        return required.isEmpty() ? object : object.required(required);
    }

    /** {@code {dtype, shape, values}}; requests may give the values as {@code data}, little-endian base64 bytes. */
    private Schema tensor(org.apache.avro.Schema schema) {
        Schema dtype = convert(schema.getField("dtype").schema());
        return described(OASFactory.createSchema().addType(SchemaType.OBJECT), "A tensor: its element type, its "
                + "shape, and its elements in C order as numbers (non-finite ones as strings); a request may give the "
                + "elements as data, the little-endian bytes in base64, instead of values.")
                .addProperty("dtype", dtype)
                .addProperty("shape", OASFactory.createSchema().addType(SchemaType.ARRAY)
                        .items(OASFactory.createSchema().addType(SchemaType.INTEGER).format("int64")))
                .addProperty("values", OASFactory.createSchema().addType(SchemaType.ARRAY).items(real()))
                .addProperty("data", base64())
                .required(List.of("dtype", "shape"));
    }

    private Schema union(org.apache.avro.Schema schema) {
        List<org.apache.avro.Schema> branches = schema.getTypes();
        boolean nullable = branches.stream().anyMatch(branch -> branch.getType() == org.apache.avro.Schema.Type.NULL);
        List<Schema> others = branches.stream().filter(branch -> branch.getType() != org.apache.avro.Schema.Type.NULL)
                .map(this::convert).toList();
        List<Schema> alternatives = new ArrayList<>(others);
        if (nullable) {
            alternatives.add(OASFactory.createSchema().addType(SchemaType.NULL));
        }
        return alternatives.size() == 1 ? alternatives.get(0) : OASFactory.createSchema().anyOf(alternatives);
    }

    /** A number, or one of the strings a non-finite number is written as. */
    private static Schema real() {
        return OASFactory.createSchema().anyOf(List.of(
                OASFactory.createSchema().addType(SchemaType.NUMBER).format("double"),
                OASFactory.createSchema().addType(SchemaType.STRING)
                        .enumeration(List.of("NaN", "Infinity", "-Infinity"))));
    }

    private static Schema base64() {
        return OASFactory.createSchema().addType(SchemaType.STRING).format("byte");
    }

    private static Schema described(Schema schema, String doc) {
        return doc == null ? schema : schema.description(doc);
    }

    private static String logicalType(org.apache.avro.Schema schema) {
        return schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    }
}
