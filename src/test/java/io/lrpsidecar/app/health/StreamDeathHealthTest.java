package io.lrpsidecar.app.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.testing.CapturedLog;
import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.PlainJvmLogging;
import io.lrpsidecar.testing.TestBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * Stream death, for health, on a real broker: a Kafka Streams client whose processor fails on every record (as an
 * infrastructure fault would: the lead turns every per-record failure into a dead letter) has its thread replaced
 * twice, then dies. The tracker says dead, liveness and readiness are DOWN with the cause, exactly one ERROR line is
 * logged and the death is counted.
 */
class StreamDeathHealthTest {
    private static final String TOPIC = "health-input";
    private static final String FAULT = "No space left on device (infrastructure stand-in)";

    @Test
    void aThreadThatKeepsDyingEndsInDeathThatHealthReports() throws Exception {
        PlainJvmLogging.quiet();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        StreamStateTracker tracker = new StreamStateTracker(Clock.systemUTC(), meters);
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(10), Clock.systemUTC(),
                tracker, meters);
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of(TOPIC), 1);
                CapturedLog log = new CapturedLog("io.lrpsidecar")) {
            KafkaStreams streams = new KafkaStreams(failingTopology(), properties(cluster.bootstrapServers()));
            streams.setStateListener(tracker);
            streams.setUncaughtExceptionHandler(policy);
            try {
                streams.start();
                Await.until(Duration.ofSeconds(60), "the stream to run", () -> tracker.state()
                        == KafkaStreams.State.RUNNING, () -> tracker.state().name());
                assertTrue(new StreamLivenessCheck(tracker).call().getStatus() == HealthCheckResponse.Status.UP);
                sendOneRecord(cluster.bootstrapServers());

                Await.until(Duration.ofSeconds(90), "the stream to die", tracker::dead, () -> tracker.state()
                        + ", warnings " + log.warnings());
                HealthCheckResponse liveness = new StreamLivenessCheck(tracker).call();
                assertEquals(HealthCheckResponse.Status.DOWN, liveness.getStatus());
                String condition = liveness.getData().orElseThrow().get("condition").toString();
                assertTrue(condition.startsWith("Kafka Streams dead beyond recovery: ")
                        && condition.contains(FAULT), condition);
                HealthCheckResponse readiness = tracker.readiness(Duration.ofMinutes(5)).response("kafka-streams");
                assertEquals(HealthCheckResponse.Status.DOWN, readiness.getStatus());
                assertEquals(liveness.getData().orElseThrow().get("since"),
                        readiness.getData().orElseThrow().get("since"));

                assertEquals(2.0, meters.get("lrp.stream.thread.replacements").counter().count());
                assertEquals(2, log.warnings().size(), log.warnings().toString());
                assertEquals(1.0, meters.get("lrp.stream.deaths").counter().count());
                assertEquals(0.0, meters.get("lrp.stream.alive").gauge().value());
                Await.until(Duration.ofSeconds(30), "the client to reach ERROR", () -> tracker.state()
                        == KafkaStreams.State.ERROR, () -> tracker.state().name());
            } finally {
                streams.close(Duration.ofSeconds(30));
            }
            assertTrue(tracker.dead(), "closing a dead client does not revive it");
            List<String> errors = log.errors();
            assertEquals(1, errors.size(), "exactly one ERROR line of the sidecar: " + errors);
            assertFalse(errors.get(0).contains("\n"), errors.get(0));
            assertTrue(errors.get(0).contains(FAULT), errors.get(0));
            assertEquals(1.0, meters.get("lrp.stream.deaths").counter().count(), "one death, counted once");
        }
    }

    /** One source and a processor that fails on every record. */
    private static Topology failingTopology() {
        ProcessorSupplier<String, String, Void, Void> failing = FailingProcessor::new;
        Topology topology = new Topology();
        topology.addSource("input", Serdes.String().deserializer(), Serdes.String().deserializer(), TOPIC);
        topology.addProcessor("failing", failing, "input");
        return topology;
    }

    /** Fails on every record, as a full disk would. */
    private static final class FailingProcessor implements Processor<String, String, Void, Void> {
        @Override
        public void process(Record<String, String> record) {
            throw new IllegalStateException(FAULT);
        }
    }

    private static Properties properties(String bootstrap) throws Exception {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "lrp-health-death");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("lrp-health-death").toString());
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        return properties;
    }

    private static void sendOneRecord(String bootstrap) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "key", "value")).get();
        }
    }
}
