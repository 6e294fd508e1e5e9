package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.PackagedService;
import io.lrpsidecar.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service runs as a child process against a real broker, is killed with SIGKILL in the middle of the
 * stream (after an eighth of the events, with half of them published) and started again on the same state
 * directory while the other half arrives: every event is still explained exactly once.
 */
class CrashRecoveryIT {
    private static final int EVENTS = 2000;

    @Test
    void aKilledServiceResumesWithoutLossOrDuplicates() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 4)) {
            String bootstrap = cluster.bootstrapServers();
            Path stateDir = Files.createTempDirectory("lrp-crash-state");
            Set<String> sent = new HashSet<>(send(bootstrap, 0, EVENTS / 2));
            List<String> explained = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> reader = TestBroker.readCommitted(bootstrap, "explanations",
                    "crash-verifier")) {
                Process first = PackagedService.start(bootstrap, stateDir).process();
                try {
                    read(reader, explained, EVENTS / 8);
                } finally {
                    first.destroyForcibly();
                    assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the killed service exited");
                }
                assertTrue(explained.size() < EVENTS / 2, "killed in the middle of the stream, after "
                        + explained.size() + " explanations");
                sent.addAll(send(bootstrap, EVENTS / 2, EVENTS));
                Process second = PackagedService.start(bootstrap, stateDir).process();
                try {
                    read(reader, explained, EVENTS);
                    reader.poll(Duration.ofSeconds(2)).forEach(record -> explained.add(record.key()));
                } finally {
                    second.destroy();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            }
            assertEquals(EVENTS, explained.size(), "no event lost or explained twice");
            assertEquals(sent, new HashSet<>(explained));
        }
    }

    static Set<String> send(String bootstrap, int from, int to) {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
        int width = digits.size() / digits.dim(0);
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                String id = "crash-" + i;
                int row = i % digits.dim(0);
                PredictionEvent event = PredictionEvent.newBuilder().setEventId(id).setModelName("digits")
                        .setModelVersion("1").setEventTime(Instant.now())
                        .setInput(TensorCodec.float32(List.of(1L, 8L, 8L), java.util.Arrays.copyOfRange(
                                digits.doubles(), row * width, (row + 1) * width)))
                        .setReportedClass(0).setAttributes(Map.of()).build();
                producer.send(new ProducerRecord<>("predictions", id.getBytes(StandardCharsets.UTF_8),
                        events.encode(event)));
                sent.add(id);
            }
            producer.flush();
        }
        return sent;
    }


    private static void read(KafkaConsumer<String, byte[]> reader, List<String> explained, int atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (explained.size() < atLeast && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                explained.add(record.key());
            }
        }
        assertTrue(explained.size() >= atLeast, "only " + explained.size() + " of " + atLeast + " explained");
    }
}
