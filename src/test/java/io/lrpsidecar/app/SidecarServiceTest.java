package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.cli.CliLauncher;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.HandcraftedAvro;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The service on a real Kafka broker: of 2000 events, 5% malformed in eight ways (a hostile length and a file-reading
 * composite among them), exactly the valid ones are explained, once each (read_committed), every malformed one lands
 * in the dead-letter topic with its reason, an explanation equals {@code lrp explain} on the same input, {@code lrp
 * tail} decodes the topic, readiness stays UP and the metrics count, with labels from configuration only.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class SidecarServiceTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    private static final int EVENTS = 2000;
    /**
     * Eight ways to be malformed, each named by the dead-letter reason it must produce; undecodable ones alternate
     * between garbage and a shape array declaring 2^31−10 items, bad composites read {@code @/dev/zero}.
     */
    private static final List<String> MALFORMED_WAYS = List.of("undecodable", "empty-value", "unknown-model",
            "non-finite", "shape-mismatch", "unsupported-dtype", "target-out-of-range", "bad-composite");

    private final AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());

    private byte[] malformed(String way, String id, Tensor digits, int i) {
        PredictionEvent.Builder event = event(id, digits, i);
        return switch (way) {
            case "undecodable" -> i / 20 / MALFORMED_WAYS.size() % 2 == 0
                    ? ("garbage " + i).getBytes(StandardCharsets.UTF_8) : HandcraftedAvro.hostileShapeArray();
            case "bad-composite" -> events.encode(event.setComposite("epsilon-gamma-box(low=@/dev/zero,high=1)")
                    .build());
            case "empty-value" -> new byte[0];
            case "unknown-model" -> events.encode(event.setModelName("nobody").build());
            case "non-finite" -> {
                double[] values = TensorCodec.values(event.getInput());
                values[3] = Double.POSITIVE_INFINITY;
                yield events.encode(event.setInput(TensorCodec.float32(List.of(1L, 8L, 8L), values)).build());
            }
            case "shape-mismatch" -> events.encode(event.setInput(TensorCodec.float32(List.of(64L),
                    new double[64])).build());
            case "unsupported-dtype" -> events.encode(event.setInput(io.lrpsidecar.events.v1.Tensor.newBuilder()
                    .setDtype(io.lrpsidecar.events.v1.DataType.INT64).setShape(List.of(1L, 8L, 8L))
                    .setData(java.nio.ByteBuffer.allocate(64 * 8)).build()).build());
            default -> events.encode(event.setTargetClass(42).build());
        };
    }

    @Test
    void explainsEveryValidEventOnceAndDeadLettersTheRest() throws Exception {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        Set<String> valid = new HashSet<>();
        Map<String, String> malformed = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String id = "event-" + i;
                byte[] value;
                if (i % 20 == 7) {
                    String way = MALFORMED_WAYS.get((i / 20) % MALFORMED_WAYS.size());
                    value = malformed(way, id, digits, i);
                    malformed.put(id, way);
                } else {
                    value = events.encode(event(id, digits, i).build());
                    valid.add(id);
                }
                producer.send(new ProducerRecord<>("predictions", id.getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }

        List<Explanation> explanations = consume("explanations",
                new AvroSerde<Explanation>(Explanation.getClassSchema()), valid.size());
        List<String> ids = explanations.stream().map(Explanation::getEventId).toList();
        assertEquals(valid.size(), ids.size(), "one explanation per valid event");
        assertEquals(valid, new HashSet<>(ids), "exactly the valid events");
        assertEquals(EVENTS / 20, malformed.size());
        assertSameRelevanceAsTheCommandLine(explanations.get(0), digits);
        List<DeadLetter> letters = consume("predictions-dlq", new AvroSerde<DeadLetter>(DeadLetter.getClassSchema()),
                malformed.size());
        assertEquals(malformed.size(), letters.size());
        for (DeadLetter letter : letters) {
            String key = StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
            assertEquals(malformed.get(key), letter.getReason(), key);
        }

        CliLauncher.Result tail = new CliLauncher().launch("tail", "explanations", "--bootstrap", bootstrap,
                "--from-beginning", "--max", "3", "--timeout", "30");
        assertEquals(0, tail.exitCode(), tail.getErrorOutput());
        List<String> lines = tail.getOutputStream();
        assertEquals(3, lines.size(), tail.getOutput());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertTrue(valid.contains(first.get("eventId").asText()), lines.get(0));
        assertEquals(64, first.get("relevance").get("values").size(), "the relevance tensor as numbers");

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(ready).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"status\": \"UP\""), health.body());
        assertTrue(health.body().contains("\"state\": \"RUNNING\""), "the stream's state listener is installed: "
                + health.body());
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(scrape.body().contains("lrp_events_explained_total{"), "explanations are counted");
        assertTrue(scrape.body().contains("lrp_events_dead_lettered_total{reason=\"unknown-model\""),
                "dead letters are counted by reason");
        assertTrue(scrape.body().contains("lrp_events_received_total{model=\"unknown\""),
                "events of unknown models are counted under unknown");
        assertTrue(!scrape.body().contains("model=\"nobody\""), "no label comes from a record");
    }

    /** An explanation from the stream equals {@code lrp explain} (reference engine) on the same input and target. */
    private void assertSameRelevanceAsTheCommandLine(Explanation explanation, Tensor digits) throws Exception {
        int i = Integer.parseInt(explanation.getEventId().substring("event-".length()));
        int row = i % digits.dim(0);
        int width = digits.size() / digits.dim(0);
        java.nio.file.Path input = java.nio.file.Files.createTempFile("row", ".npy");
        java.nio.file.Path output = java.nio.file.Files.createTempFile("relevance", ".npy");
        Npy.write(input, Tensor.of(new int[] {1, 1, 8, 8}, java.util.Arrays.copyOfRange(digits.doubles(),
                row * width, (row + 1) * width)), io.lrpsidecar.graph.ElementType.FLOAT);
        CliLauncher.Result result = new CliLauncher().launch("explain", "--model",
                ReferenceCase.folder("cnn_digits").resolve("model.onnx").toString(), "--input", input.toString(),
                "--composite", explanation.getComposite(), "--target", "class:" + explanation.getTargetClass(),
                "--engine", "reference", "--quiet", "--output", output.toString());
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        io.lrpsidecar.RelevanceAssertions.assertRelativeL2(Tensor.of(new int[] {1, 1, 8, 8},
                TensorCodec.values(explanation.getRelevance())), Npy.read(output).tensor(), 1e-4,
                "stream vs lrp explain");
    }

    private PredictionEvent.Builder event(String id, Tensor digits, int i) {
        int row = i % digits.dim(0);
        int width = digits.size() / digits.dim(0);
        double[] values = java.util.Arrays.copyOfRange(digits.doubles(), row * width, (row + 1) * width);
        return PredictionEvent.newBuilder().setEventId(id).setModelName("digits").setModelVersion("1")
                .setEventTime(Instant.now()).setInput(TensorCodec.float32(List.of(1L, 8L, 8L), values))
                .setReportedClass(0).setAttributes(Map.of());
    }

    /** Reads a topic with read_committed until {@code expected} records came, or 60 s passed. */
    private <T> List<T> consume(String topic, AvroSerde<T> serde, int expected) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "verify-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records.add(serde.deserializer().deserialize(topic, record.value()));
                }
                if (records.size() >= expected) {
                    // one more poll: anything beyond the expected count would be a duplicate
                    consumer.poll(Duration.ofMillis(1000)).forEach(record -> records.add(
                            serde.deserializer().deserialize(topic, record.value())));
                    break;
                }
            }
        }
        return records;
    }

}
