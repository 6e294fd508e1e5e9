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
 * The service on a real Kafka broker: valid events are explained exactly once each (read_committed), malformed
 * ones land in the dead-letter topic with their reason, readiness is UP and the metrics count the explanations.
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

    private final AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());

    @Test
    void explainsEveryValidEventOnceAndDeadLettersTheRest() throws Exception {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        Set<String> valid = new HashSet<>();
        Map<String, String> malformed = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 200; i++) {
                String id = "event-" + i;
                byte[] value;
                if (i % 20 == 7) {
                    value = ("garbage " + i).getBytes(StandardCharsets.UTF_8);
                    malformed.put(id, "undecodable");
                } else if (i % 20 == 13) {
                    value = events.encode(event(id, digits, i).setModelName("nobody").build());
                    malformed.put(id, "unknown-model");
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
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(scrape.body().contains("lrp_events_explained_total{"), "explanations are counted");
        assertTrue(scrape.body().contains("lrp_events_dead_lettered_total{reason=\"unknown-model\""),
                "dead letters are counted by reason");
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
