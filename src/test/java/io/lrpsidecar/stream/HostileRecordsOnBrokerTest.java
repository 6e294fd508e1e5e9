package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.HandcraftedAvro;
import io.lrpsidecar.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Hostile records on a real broker, each between two valid events: records of 2 MiB and 20 MiB (above the 1 MB record
 * limit, which the dead-letter topic's broker default also enforces), a record whose shape array declares 2^31−10
 * items, composite overrides that name {@code @/dev/zero}, a missing file and a readable {@code .npy}, and a model name
 * of 100,000 characters. Each yields exactly one dead letter that fits the topic, every valid event exactly one
 * explanation (read_committed), and the stream keeps running.
 */
class HostileRecordsOnBrokerTest {

    @Test
    void everyHostileRecordIsOneDeadLetterAndTheStreamKeepsRunning() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 1);
                ModelRegistry registry = registry()) {
            String bootstrap = cluster.bootstrapServers();
            StreamTopics topics = StreamTopics.defaults();
            // the predictions topic admits the large records; the dead-letter topic keeps the broker default
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC,
                        topics.predictions()), List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes",
                        Integer.toString(32 << 20)), AlterConfigOp.OpType.SET)))).all().get();
            }
            Map<String, byte[]> hostile = hostileRecords();
            List<String> valid = new ArrayList<>();
            KafkaStreams streams = TestBroker.explainStreams("lrp-hostile", bootstrap, registry, 100);
            streams.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 << 20), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                int i = 0;
                send(producer, topics, "valid-" + i, validEvent("valid-" + i++), valid);
                for (Map.Entry<String, byte[]> entry : hostile.entrySet()) {
                    producer.send(new ProducerRecord<>(topics.predictions(), entry.getKey().getBytes(
                            StandardCharsets.UTF_8), entry.getValue()));
                    send(producer, topics, "valid-" + i, validEvent("valid-" + i++), valid);
                }
                producer.flush();
            }
            List<String> explained = read(bootstrap, topics.explanations(), valid.size()).stream()
                    .map(ConsumerRecord::key).toList();
            List<ConsumerRecord<String, byte[]>> letters = read(bootstrap, topics.deadLetters(), hostile.size());
            assertEquals(valid, explained, "every valid event explained once, in order");
            assertEquals(hostile.size(), letters.size(), "one dead letter per hostile record");
            AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.getClassSchema());
            Map<String, String> reasons = new LinkedHashMap<>();
            for (ConsumerRecord<String, byte[]> record : letters) {
                assertTrue(record.serializedValueSize() < TopologySettings.DEFAULT_MAX_RECORD_BYTES);
                DeadLetter letter = serde.decode(record.value());
                String name = record.key();
                reasons.put(name, letter.getReason());
                byte[] original = hostile.get(name);
                byte[] kept = new byte[letter.getValue().remaining()];
                letter.getValue().duplicate().get(kept);
                if (original.length > TopologySettings.DEFAULT_MAX_RECORD_BYTES) {
                    assertNotNull(letter.getTruncation(), name);
                    assertEquals(original.length, letter.getTruncation().getValueLength(), name);
                    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)),
                            letter.getTruncation().getValueSha256(), name);
                    assertArrayEquals(Arrays.copyOf(original, kept.length), kept, name);
                } else {
                    assertArrayEquals(original, kept, name);
                }
            }
            assertEquals(Map.of("2MiB", "record-too-large", "20MiB", "record-too-large", "hostile-array",
                    "undecodable", "dev-zero", "bad-composite", "missing-npy", "bad-composite", "readable-npy",
                    "bad-composite", "long-model-name", "unknown-model"), reasons);
            assertEquals(KafkaStreams.State.RUNNING, streams.state(), "the stream keeps running");
            streams.close(Duration.ofSeconds(30));
        }
    }

    /**
     * Live and replayed predictions at equal partitions and offsets wait in the batching store together; before the
     * store key held the source topic, each replayed one overwrote the live one at its offset.
     */
    @Test
    void liveAndReplayedPredictionsAtEqualOffsetsAreAllExplained() throws Exception {
        int events = 40;
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 1);
                ModelRegistry registry = registry()) {
            String bootstrap = cluster.bootstrapServers();
            StreamTopics topics = StreamTopics.defaults();
            KafkaStreams streams = TestBroker.explainStreams("lrp-replay-collision", bootstrap, registry, 100);
            streams.start();
            List<String> live = new ArrayList<>();
            List<String> replayed = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < events; i++) {
                    send(producer, topics, "live-" + i, validEvent("live-" + i), live);
                    String id = "replayed-" + i;
                    producer.send(new ProducerRecord<>(topics.predictionsReplay(), null, id.getBytes(
                            StandardCharsets.UTF_8), validEvent(id), ReplayHeader.with("replay-" + i % 3)));
                    replayed.add(id);
                }
                producer.flush();
            }
            assertEquals(live, read(bootstrap, topics.explanations(), events).stream().map(ConsumerRecord::key)
                    .toList(), "every live prediction explained once");
            assertEquals(replayed.stream().sorted().toList(), read(bootstrap, topics.explanationsReplay(), events)
                    .stream().map(ConsumerRecord::key).sorted().toList(), "every replayed prediction explained once");
            assertTrue(read(bootstrap, topics.deadLetters(), 0).isEmpty(), "nothing dead-lettered");
            streams.close(Duration.ofSeconds(30));
        }
    }

    private static Map<String, byte[]> hostileRecords() throws Exception {
        Random random = new Random(20261129);
        byte[] twoMiB = new byte[2 << 20];
        random.nextBytes(twoMiB);
        byte[] twentyMiB = new byte[20 << 20];
        random.nextBytes(twentyMiB);
        String readable = ReferenceCase.folder("cnn_digits").resolve("input.npy").toAbsolutePath().toString();
        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("2MiB", twoMiB);
        hostile.put("20MiB", twentyMiB);
        hostile.put("hostile-array", HandcraftedAvro.hostileShapeArray());
        hostile.put("dev-zero", encode(event("dev-zero").setComposite("epsilon-gamma-box(low=@/dev/zero,high=1)")));
        hostile.put("missing-npy", encode(event("missing-npy")
                .setComposite("epsilon-gamma-box(low=@/missing.npy,high=1)")));
        hostile.put("readable-npy", encode(event("readable-npy")
                .setComposite("epsilon-gamma-box(low=@" + readable + ",high=1)")));
        hostile.put("long-model-name", encode(event("long-model-name").setModelName("m".repeat(100_000))));
        return hostile;
    }

    private static final Tensor DIGITS = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
    private static final AvroSerde<PredictionEvent> EVENTS = new AvroSerde<>(PredictionEvent.getClassSchema());

    private static PredictionEvent.Builder event(String id) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName("digits").setModelVersion("1")
                .setEventTime(Instant.now()).setInput(TopologyFixture.row(DIGITS, id.length() % DIGITS.dim(0)))
                .setReportedClass(0).setAttributes(Map.of());
    }

    private static byte[] encode(PredictionEvent.Builder event) {
        return EVENTS.encode(event.build());
    }

    private static byte[] validEvent(String id) {
        return encode(event(id));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamTopics topics, String id, byte[] value,
            List<String> sent) {
        producer.send(new ProducerRecord<>(topics.predictions(), id.getBytes(StandardCharsets.UTF_8), value));
        sent.add(id);
    }

    /** Reads a topic with read_committed until {@code expected} records came, then once more for late duplicates. */
    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TestBroker.readCommitted(bootstrap, topic,
                "verify-" + topic)) {
            Await.until(Duration.ofSeconds(90), expected + " records on " + topic, () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            }, () -> records.size() + " so far");
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        return records;
    }

    private static ModelRegistry registry() {
        return new ModelRegistry().add(new ServedModel("digits", "1", "sha", ExplainableModel.load(
                ReferenceCase.folder("cnn_digits").resolve("model.onnx")), new ModelSettings("epsilon-plus-flat",
                TargetPolicy.PREDICTED, List.of(), 16, Duration.ofMillis(30), 1.0, 0.0, 1e-3, 1 << 16, 3),
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), new CompositeParser(file -> {
                    throw new IllegalArgumentException("the configured composite reads no file");
                })));
    }
}
