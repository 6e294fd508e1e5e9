import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes one {@code PredictionEvent} to the sidecar's {@code predictions} topic, as a production service would after
 * each prediction (docs/own-model.md, "Producers"). Needs only kafka-clients and avro on the class path and the schema
 * files of {@code avro-schemas/}: the record is built as a generic Avro record and written in Avro's single-object
 * encoding (marker C3 01, the schema's 8-byte fingerprint, the binary record), which the sidecar reads without a schema
 * registry. The key is the event id.
 *
 * <pre>
 * java -cp "kafka-clients.jar:avro.jar:..." examples/producer-java/PredictionProducer.java \
 *     --bootstrap localhost:9092 --schemas avro-schemas --model digits --version 1 \
 *     --event-id order-17 --shape 1,8,8 --values 0,0.1,... --reported-class 7 [--label 7] \
 *     [--reported-scores 0.1,...] [--topic predictions] [--client-config client.properties]
 * </pre>
 *
 * {@code --client-config} is a Java properties file of further producer settings (SASL, SSL, ...), passed through
 * unchanged.
 */
public final class PredictionProducer {
    private static final String NAMESPACE = "io.lrpsidecar.events.v1.";

    private PredictionProducer() {
    }

    /** The PredictionEvent schema, parsed from the schema folder with the types it refers to. */
    public static Schema predictionEventSchema(Path schemas) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        for (String type : List.of("DataType", "Tensor", "PredictionEvent")) {
            parser.parse(schemas.resolve(type + ".avsc").toFile());
        }
        return parser.getTypes().get(NAMESPACE + "PredictionEvent");
    }

    /** One event as single-object-encoded bytes: float32 input in C order, little-endian. */
    public static byte[] encode(Schema eventSchema, String eventId, String model, String version, long[] shape,
            float[] values, int reportedClass, float[] reportedScores, Integer label) throws IOException {
        Schema tensorSchema = eventSchema.getField("input").schema();
        ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        data.flip();
        List<Long> dims = new ArrayList<>();
        Arrays.stream(shape).forEach(dims::add);
        GenericRecord input = new GenericRecordBuilder(tensorSchema)
                .set("dtype", new GenericData.EnumSymbol(tensorSchema.getField("dtype").schema(), "FLOAT32"))
                .set("shape", dims)
                .set("data", data)
                .build();
        GenericRecordBuilder event = new GenericRecordBuilder(eventSchema)
                .set("eventId", eventId)
                .set("modelName", model)
                .set("modelVersion", version)
                .set("eventTime", Instant.now().toEpochMilli())
                .set("input", input)
                .set("reportedClass", reportedClass)
                .set("label", label);
        if (reportedScores != null) {
            List<Float> scores = new ArrayList<>();
            for (float score : reportedScores) {
                scores.add(score);
            }
            event.set("reportedScores", scores);
        }
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), eventSchema)
                .encode(event.build());
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Schema schema = predictionEventSchema(Path.of(options.getOrDefault("--schemas", "avro-schemas")));
        String eventId = required(options, "--event-id");
        byte[] value = encode(schema, eventId, required(options, "--model"), options.getOrDefault("--version", "1"),
                Arrays.stream(required(options, "--shape").split(",")).mapToLong(Long::parseLong).toArray(),
                floats(required(options, "--values")), Integer.parseInt(required(options, "--reported-class")),
                options.containsKey("--reported-scores") ? floats(options.get("--reported-scores")) : null,
                options.containsKey("--label") ? Integer.valueOf(options.get("--label")) : null);

        Properties config = new Properties();
        if (options.containsKey("--client-config")) {
            try (Reader reader = Files.newBufferedReader(Path.of(options.get("--client-config")))) {
                config.load(reader);
            }
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, required(options, "--bootstrap"));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            RecordMetadata written = producer.send(new ProducerRecord<>(options.getOrDefault("--topic",
                    "predictions"), eventId, value)).get();
            System.out.printf("wrote event %s to %s-%d at offset %d (%d bytes)%n", eventId, written.topic(),
                    written.partition(), written.offset(), value.length);
        }
    }

    private static Map<String, String> options(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("expected --name value pairs, found " + args.length + " arguments");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("expected the option " + name + ", found none");
        }
        return value;
    }

    private static float[] floats(String commaSeparated) {
        String[] parts = commaSeparated.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i].trim());
        }
        return values;
    }
}
