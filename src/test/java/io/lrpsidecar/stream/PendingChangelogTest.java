package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * On a real broker: the batching store's changelog holds the events that wait across a commit (so a restart restores
 * them) and nothing of the events explained before the commit.
 */
class PendingChangelogTest {
    private static final String APPLICATION = "lrp-pending-changelog";
    private static final int WAITING = 10;
    private static final int IN_FULL_BATCHES = 640;

    @Test
    void onlyEventsWaitingAtACommitReachTheChangelog() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 1);
                ModelRegistry registry = registry()) {
            String bootstrap = cluster.bootstrapServers();
            StreamTopics topics = StreamTopics.defaults();
            KafkaStreams streams = TestBroker.explainStreams(APPLICATION, bootstrap, registry, 1000);
            streams.start();
            Set<String> explained = new HashSet<>();
            String changelog = APPLICATION + "-" + ExplainTopology.STORE + "-changelog";
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
                    KafkaConsumer<String, byte[]> reader = TestBroker.readCommitted(bootstrap,
                            topics.explanations(), "pending-changelog-verifier")) {
                // fewer than a batch: they wait max-wait (2 s), across at least one commit (every second)
                send(producer, topics, 0, WAITING);
                awaitExplanations(reader, explained, WAITING);
                List<ConsumerRecord<String, byte[]>> waited = committed(bootstrap, changelog);
                send(producer, topics, WAITING, WAITING + IN_FULL_BATCHES);
                awaitExplanations(reader, explained, WAITING + IN_FULL_BATCHES);
                streams.close(Duration.ofSeconds(30));
                List<ConsumerRecord<String, byte[]>> all = committed(bootstrap, changelog);

                assertEquals(WAITING, waited.stream().filter(record -> record.value() != null).count(),
                        "expected each event that waited across a commit in the changelog, found " + waited.size()
                                + " records");
                assertEquals(WAITING, waited.stream().filter(record -> record.value() == null).count(),
                        "expected a tombstone for each of them once explained");
                long forFullBatches = all.size() - waited.size();
                assertTrue(forFullBatches < IN_FULL_BATCHES / 2, "expected the " + IN_FULL_BATCHES + " events "
                        + "explained in full batches to leave at most the stragglers of a few commits in the "
                        + "changelog, found " + forFullBatches + " records (a put and a tombstone each would be "
                        + 2 * IN_FULL_BATCHES + ")");
            }
        }
    }

    private static ModelRegistry registry() {
        return new ModelRegistry().add(new ServedModel("digits", "1", "sha", ExplainableModel.load(
                ReferenceCase.folder("cnn_digits").resolve("model.onnx")), new ModelSettings("epsilon-plus-flat",
                TargetPolicy.PREDICTED, List.of(), 32, Duration.ofSeconds(2), 1.0, 0.0, 1e-3, 1 << 16, 3),
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), new CompositeParser(file -> null)));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamTopics topics, int from, int to)
            throws Exception {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
        int width = digits.size() / digits.dim(0);
        for (int i = from; i < to; i++) {
            String id = "changelog-" + i;
            int row = i % digits.dim(0);
            PredictionEvent event = PredictionEvent.newBuilder().setEventId(id).setModelName("digits")
                    .setModelVersion("1").setEventTime(Instant.now())
                    .setInput(TensorCodec.float32(List.of(1L, 8L, 8L),
                            Arrays.copyOfRange(digits.doubles(), row * width, (row + 1) * width)))
                    .setReportedClass(0).setAttributes(Map.of()).build();
            producer.send(new ProducerRecord<>(topics.predictions(), id.getBytes(StandardCharsets.UTF_8),
                    events.encode(event)));
        }
        producer.flush();
    }

    private static void awaitExplanations(KafkaConsumer<String, byte[]> reader, Set<String> explained, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (explained.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                explained.add(record.key());
            }
        }
        assertEquals(count, explained.size(), "expected every event explained within 90 s");
    }

    /** Every committed record of a one-partition topic, from its beginning. */
    private static List<ConsumerRecord<String, byte[]>> committed(String bootstrap, String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
