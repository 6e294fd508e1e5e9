package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lrpsidecar.app.api.KafkaClientConfigs;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What {@code docs/own-model.md} tells an integrator, run against the sidecar on a real broker in the JVM: the
 * PyTorch export of {@code examples/export/export_pytorch.py} is served as model {@code own} with the configuration
 * the guide shows; the Java and Python producer examples each write a {@code PredictionEvent} for it that comes out
 * as an {@code Explanation}; and Kafka client properties given as {@code kafka-streams.*} reach the clients Kafka
 * Streams creates. The Python example runs when {@code /usr/bin/python3} has avro and confluent_kafka, and must run
 * when {@code LRP_REQUIRE_PYTHON_EXAMPLES=1} ({@code .ci/run} sets it).
 */
@QuarkusTest
@TestProfile(OwnModelExamplesTest.OwnModel.class)
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class OwnModelExamplesTest {
    static final Path EXPORTED_MODEL = Path.of("src", "test", "resources", "own-model", "cnn.onnx");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final long SEED = 20_240_611L;
    /** Pass-through settings of the guide's SASL/SSL section: harmless here, distinct from every default. */
    private static final String METADATA_MAX_AGE_MS = "123456";
    private static final String RECONNECT_BACKOFF_MAX_MS = "4321";
    private static final String PRODUCER_LINGER_MS = "7";

    /** Serves the exported model as {@code own}, and passes three client properties through. */
    public static class OwnModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lrp.models.own.file", EXPORTED_MODEL.toAbsolutePath().toString(),
                    "lrp.models.own.version", "1",
                    "lrp.models.own.input-name", "input",
                    "lrp.models.own.logits-name", "logits",
                    "lrp.models.own.composite", "epsilon-gamma-box",
                    "lrp.models.own.data-range-low", "0",
                    "lrp.models.own.data-range-high", "1",
                    "kafka-streams.metadata.max.age.ms", METADATA_MAX_AGE_MS,
                    "kafka-streams.reconnect.backoff.max.ms", RECONNECT_BACKOFF_MAX_MS,
                    "kafka-streams.producer.linger.ms", PRODUCER_LINGER_MS);
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    StreamsConfig streamsConfig;

    @Inject
    KafkaClientConfigs apiClients;

    private final AvroSerde<Explanation> explanations = new AvroSerde<>(Explanation.getClassSchema());

    /** 64 pixel values in [0, 1) from a fixed seed, comma-separated, for the 1 x 8 x 8 input. */
    private static String pixels(long seed) {
        Random random = new Random(seed);
        return IntStream.range(0, 64).mapToObj(i -> Float.toString(random.nextFloat()))
                .collect(Collectors.joining(","));
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElseThrow(() -> new AssertionError(
                "expected the path of the running java executable, found none"));
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out after 120 s: " + command);
        }
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
    }

    private List<String> producerArguments(String eventId, long seed) {
        return List.of("--bootstrap", bootstrap, "--schemas", "avro-schemas", "--model", "own", "--version", "1",
                "--event-id", eventId, "--shape", "1,8,8", "--values", pixels(seed), "--reported-class", "3",
                "--label", "3");
    }

    /** The explanation of one event, read_committed from the beginning of {@code explanations}. */
    private Explanation explanationOf(String eventId) throws IOException {
        try (KafkaConsumer<String, byte[]> consumer = io.lrpsidecar.testing.TestBroker.readCommitted(bootstrap,
                "explanations", "own-model-" + UUID.randomUUID())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (eventId.equals(record.key())) {
                        return explanations.decode(record.value());
                    }
                }
            }
        }
        throw new AssertionError("expected an explanation of event " + eventId + " within 60 s, found none");
    }

    private static void assertExplainsTheProducedPixels(Explanation explanation, String eventId) {
        assertEquals(eventId, explanation.getEventId());
        assertEquals("own", explanation.getModelName());
        assertEquals(List.of(1L, 8L, 8L), explanation.getRelevance().getShape(), "relevance has the input's shape");
        double sum = 0;
        for (double value : TensorCodec.values(explanation.getRelevance())) {
            assertTrue(Double.isFinite(value), "finite relevance");
            sum += value;
        }
        assertEquals(explanation.getRelevanceSum(), sum, 1e-4 * Math.max(1, Math.abs(sum)), "relevance sum");
        assertTrue(explanation.getComposite().startsWith("epsilon-gamma-box("), explanation.getComposite());
        assertTrue(explanation.getComposite().contains("high=1") && explanation.getComposite().contains("low=0"),
                "the configured data range is the ZBox bound: " + explanation.getComposite());
        List<io.lrpsidecar.events.v1.LedgerLayer> ledger = explanation.getLedger();
        assertEquals("/fc2/Gemm", ledger.get(ledger.size() - 1).getName(), "the ledger in topological order");
        assertEquals(explanation.getTargetLogit(), ledger.get(ledger.size() - 1).getRelevanceIn(),
                1e-4 * Math.max(1, Math.abs(explanation.getTargetLogit())), "relevance enters the head as the logit");
    }

    @Test
    void theJavaProducerExampleWritesAnEventTheSidecarExplains() throws Exception {
        String eventId = "java-example-" + UUID.randomUUID();
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-cp",
                System.getProperty("java.class.path"), Path.of("examples", "producer-java",
                        "PredictionProducer.java").toString()));
        command.addAll(producerArguments(eventId, SEED));

        Run run = run(command);

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("wrote event " + eventId + " to predictions-"), run.output());
        assertExplainsTheProducedPixels(explanationOf(eventId), eventId);
    }

    @Test
    void thePythonProducerExampleWritesAnEventTheSidecarExplains() throws Exception {
        Optional<String> missing = missingPythonPackages();
        if ("1".equals(System.getenv("LRP_REQUIRE_PYTHON_EXAMPLES"))) {
            assertTrue(missing.isEmpty(), "LRP_REQUIRE_PYTHON_EXAMPLES=1 but " + missing.orElse(""));
        }
        assumeTrue(missing.isEmpty(), () -> "the Python producer example needs " + missing.orElse("")
                + " (apt-get install python3-avro python3-confluent-kafka)");
        String eventId = "python-example-" + UUID.randomUUID();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), Path.of("examples", "producer-python",
                "produce_prediction.py").toString()));
        command.addAll(producerArguments(eventId, SEED + 1));

        Run run = run(command);

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("wrote event " + eventId + " to predictions-"), run.output());
        assertExplainsTheProducedPixels(explanationOf(eventId), eventId);
    }

    /** Empty when {@code /usr/bin/python3} imports avro and confluent_kafka, else what is missing. */
    private static Optional<String> missingPythonPackages() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return Optional.of(PYTHON + " (not found)");
        }
        Run probe = run(List.of(PYTHON.toString(), "-c", "import avro, confluent_kafka"));
        return probe.exitCode() == 0 ? Optional.empty()
                : Optional.of("avro and confluent_kafka in " + PYTHON + ": " + probe.output().strip());
    }

    @Test
    void kafkaStreamsPropertiesPassThroughToTheClientsKafkaStreamsCreates() {
        Map<String, Object> consumer = streamsConfig.getMainConsumerConfigs("lrp-sidecar", "lrp-sidecar-consumer",
                0);
        Map<String, Object> producer = streamsConfig.getProducerConfigs("lrp-sidecar-producer");
        Map<String, Object> admin = streamsConfig.getAdminConfigs("lrp-sidecar-admin");
        for (Map<String, Object> client : List.of(consumer, producer, admin)) {
            assertEquals(METADATA_MAX_AGE_MS, String.valueOf(client.get(CommonClientConfigs.METADATA_MAX_AGE_CONFIG)),
                    "metadata.max.age.ms in " + client);
            assertEquals(RECONNECT_BACKOFF_MAX_MS, String.valueOf(client.get(
                    CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG)), "reconnect.backoff.max.ms in " + client);
        }
        assertEquals(PRODUCER_LINGER_MS, String.valueOf(producer.get(ProducerConfig.LINGER_MS_CONFIG)),
                "the producer. prefix reaches the producer");
        assertTrue(!consumer.containsKey(ProducerConfig.LINGER_MS_CONFIG), "and not the consumer: " + consumer);
        assertEquals("read_committed", String.valueOf(consumer.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG)),
                "the consumer. prefix of application.properties");
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, streamsConfig.getString(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    @Test
    void theApisOwnKafkaClientsGetThePassedThroughPropertiesToo() {
        Map<String, Object> reader = apiClients.consumer("lrp-replay-reader", Map.of());
        Map<String, Object> writer = apiClients.producer("lrp-replay-writer", Map.of(ProducerConfig.ACKS_CONFIG,
                "all"));
        for (Map<String, Object> client : List.of(reader, writer)) {
            assertEquals(METADATA_MAX_AGE_MS, String.valueOf(client.get(CommonClientConfigs.METADATA_MAX_AGE_CONFIG)),
                    "metadata.max.age.ms in " + client);
        }
        assertTrue(!reader.containsKey(ConsumerConfig.GROUP_ID_CONFIG), "the API's readers assign, no group: " + reader);
        assertEquals(PRODUCER_LINGER_MS, String.valueOf(writer.get(ProducerConfig.LINGER_MS_CONFIG)));
        assertEquals("all", writer.get(ProducerConfig.ACKS_CONFIG));
    }
}
