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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Two sidecar instances share a 4-partition predictions topic on a real broker; one stops in the middle of the
 * stream. Every event is still explained exactly once (exactly-once processing, read_committed reader).
 */
class ScaleOutTest {
    private static final int EVENTS = 1200;

    @Test
    void twoInstancesShareTheWorkAndOneStopsMidStream() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 4);
                ModelRegistry registry = registry()) {
            String bootstrap = cluster.bootstrapServers();
            StreamTopics topics = StreamTopics.defaults();
            CountDownLatch running = new CountDownLatch(2);
            KafkaStreams first = start(registry, bootstrap, running);
            KafkaStreams second = start(registry, bootstrap, running);
            assertTrue(running.await(60, TimeUnit.SECONDS), "both instances reach RUNNING");
            Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
            AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
            Set<String> sent = new HashSet<>();
            List<String> explained = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
                    KafkaConsumer<String, byte[]> reader = TestBroker.readCommitted(bootstrap,
                            topics.explanations(), "scale-out-verifier")) {
                send(producer, events, digits, 0, EVENTS / 2, sent, topics);
                awaitExplanations(reader, explained, EVENTS / 4);
                first.close(Duration.ofSeconds(30));
                send(producer, events, digits, EVENTS / 2, EVENTS, sent, topics);
                awaitExplanations(reader, explained, EVENTS);
                explained.addAll(drain(reader));
            } finally {
                second.close(Duration.ofSeconds(30));
            }
            assertEquals(EVENTS, explained.size(), "no event lost or explained twice");
            assertEquals(sent, new HashSet<>(explained));
        }
    }

    private static ModelRegistry registry() {
        return new ModelRegistry().add(new ServedModel("digits", "1", "sha", ExplainableModel.load(
                ReferenceCase.folder("cnn_digits").resolve("model.onnx")), new ModelSettings("epsilon-plus-flat",
                TargetPolicy.PREDICTED, List.of(), 16, Duration.ofMillis(30), 1.0, 0.0, 1e-3, 1 << 16, 3),
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), new CompositeParser(file -> null)));
    }

    private static KafkaStreams start(ModelRegistry registry, String bootstrap, CountDownLatch running)
            throws Exception {
        KafkaStreams streams = TestBroker.explainStreams("lrp-scale-out", bootstrap, registry, 100);
        AtomicBoolean counted = new AtomicBoolean();
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && counted.compareAndSet(false, true)) {
                running.countDown();
            }
        });
        streams.start();
        return streams;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, AvroSerde<PredictionEvent> events,
            Tensor digits, int from, int to, Set<String> sent, StreamTopics topics) {
        int width = digits.size() / digits.dim(0);
        for (int i = from; i < to; i++) {
            String id = "scale-" + i;
            int row = i % digits.dim(0);
            double[] values = java.util.Arrays.copyOfRange(digits.doubles(), row * width, (row + 1) * width);
            PredictionEvent event = PredictionEvent.newBuilder().setEventId(id).setModelName("digits")
                    .setModelVersion("1").setEventTime(Instant.now())
                    .setInput(TensorCodec.float32(List.of(1L, 8L, 8L), values)).setReportedClass(0)
                    .setAttributes(Map.of()).build();
            producer.send(new ProducerRecord<>(topics.predictions(), id.getBytes(StandardCharsets.UTF_8),
                    events.encode(event)));
            sent.add(id);
        }
        producer.flush();
    }

    private static void awaitExplanations(KafkaConsumer<String, byte[]> reader, List<String> explained,
            int atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (explained.size() < atLeast && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                explained.add(record.key());
            }
        }
        assertTrue(explained.size() >= atLeast, "only " + explained.size() + " of " + atLeast + " explained");
    }

    private static List<String> drain(KafkaConsumer<String, byte[]> reader) {
        List<String> late = new ArrayList<>();
        reader.poll(Duration.ofSeconds(2)).forEach(record -> late.add(record.key()));
        return late;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }


}
