package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.TestBroker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's stream on a real broker against {@value #MUTANTS} mutated {@link PredictionEvent} records (fixed
 * seed): bit flips, hostile length prefixes, truncation and trailing bytes, each mutant followed by a valid event.
 * Every valid event is explained exactly once, every mutant yields exactly one explanation or one dead letter (matched
 * by source position, read_committed) and a dead letter keeps the mutant's bytes unchanged; the stream never stops.
 */
class FuzzedEventsTest {
    private static final int MUTANTS = 10_000;
    private static final long SEED = 9_2026L;
    private static final int PROBLEMS_SHOWN = 20;
    private static final Tensor TABULAR = Npy.read(ReferenceCase.folder("mlp_tabular").resolve("input.npy"))
            .tensor();
    private static final AvroSerde<PredictionEvent> EVENTS = new AvroSerde<>(PredictionEvent.getClassSchema());

    /** What one input record led to. */
    private record Outcome(List<Explanation> explanations, List<DeadLetter> deadLetters) {
        int outputs() {
            return explanations.size() + deadLetters.size();
        }
    }

    @Test
    void everyMutantIsExplainedOrDeadLetteredOnceAndEveryValidEventIsExplainedOnce() throws Exception {
        StreamTopics topics = StreamTopics.defaults();
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 1);
                ModelRegistry registry = registry()) {
            String bootstrap = cluster.bootstrapServers();
            KafkaStreams streams = TestBroker.explainStreams("lrp-fuzz", bootstrap, registry, 100);
            streams.start();
            List<byte[]> originals = originals().stream().map(EVENTS::encode).toList();
            Random random = new Random(SEED);
            EventMutator mutator = new EventMutator(random);
            Map<Long, EventMutator.Mutant> mutants = new HashMap<>();
            Map<Long, String> valid = new HashMap<>();
            long offset = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < MUTANTS; i++) {
                    EventMutator.Mutant mutant = mutator.mutate(originals.get(random.nextInt(originals.size())),
                            EventMutator.Kind.values()[i % EventMutator.Kind.values().length]);
                    send(producer, topics, "mutant-" + i, mutant.bytes());
                    mutants.put(offset++, mutant);
                    String id = "valid-" + i;
                    send(producer, topics, id, EVENTS.encode(event(id, i % TABULAR.dim(0)).build()));
                    valid.put(offset++, id);
                }
                producer.flush();
            }
            List<Explanation> explanations = new ArrayList<>();
            List<DeadLetter> deadLetters = new ArrayList<>();
            readOutcomes(bootstrap, topics, 2 * MUTANTS, explanations, deadLetters);
            assertEquals(KafkaStreams.State.RUNNING, streams.state(), "the stream never stops");
            streams.close(Duration.ofSeconds(30));

            Map<Long, Outcome> outcomes = outcomesByOffset(explanations, deadLetters);
            List<String> problems = new ArrayList<>();
            checkValidEvents(valid, outcomes, explanations, problems);
            checkMutants(mutants, outcomes, problems);
            outcomes.keySet().stream().filter(at -> !valid.containsKey(at) && !mutants.containsKey(at)).forEach(
                    at -> problems.add("an output names offset " + at + ", which no input record had"));
            assertTrue(problems.isEmpty(), () -> problems.size() + " problems among " + MUTANTS + " mutants and "
                    + MUTANTS + " valid events; the first " + Math.min(PROBLEMS_SHOWN, problems.size()) + ":\n"
                    + String.join("\n", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size()))));
            long mutantsExplained = mutants.keySet().stream()
                    .filter(at -> outcomes.get(at).explanations().size() == 1).count();
            assertTrue(mutantsExplained > 0 && mutantsExplained < MUTANTS, "expected some mutants explained "
                    + "(harmless edits) and some dead-lettered, found " + mutantsExplained + " of " + MUTANTS
                    + " explained");
        }
    }

    private static ModelRegistry registry() {
        ModelSettings settings = TopologyFixture.settings(16, Duration.ofMillis(50), TopologyFixture.TABULAR_FEATURES);
        return new ModelRegistry().add(new ServedModel("breast_cancer", "2", "sha-breast-cancer", ExplainableModel.load(
                ReferenceCase.folder("mlp_tabular").resolve("model.onnx")), settings,
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), new CompositeParser(file -> {
                    throw new IllegalArgumentException("the configured composite reads no file");
                })));
    }

    private static PredictionEvent.Builder event(String id, int row) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName("breast_cancer").setModelVersion("2")
                .setEventTime(Instant.ofEpochMilli(999_000)).setInput(TopologyFixture.row(TABULAR, row))
                .setReportedClass(0).setAttributes(Map.of());
    }

    /** The records the mutants start from: between them, every field of a PredictionEvent is set. */
    private static List<PredictionEvent> originals() {
        double[] row = TensorCodec.values(TopologyFixture.row(TABULAR, 4));
        ByteBuffer float64 = ByteBuffer.allocate(row.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(row).forEach(float64::putDouble);
        float64.flip();
        return List.of(
                event("original-plain", 0).build(),
                event("original-scored", 1).setReportedClass(1).setReportedScores(List.of(-1.5f, 2.25f)).setLabel(1)
                        .build(),
                event("original-traced", 2).setTargetClass(1)
                        .setTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                        .setAttributes(Map.of("region", "eu-west", "channel", "web")).build(),
                event("original-composite", 3).setComposite("epsilon-plus-flat").build(),
                event("original-float64", 4).setInput(io.lrpsidecar.events.v1.Tensor.newBuilder()
                        .setDtype(DataType.FLOAT64).setShape(List.of(1L, (long) row.length)).setData(float64)
                        .build()).build());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamTopics topics, String key,
            byte[] value) {
        producer.send(new ProducerRecord<>(topics.predictions(), key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** Reads explanations and dead letters (read_committed) until {@code expected} came, then once more. */
    private static void readOutcomes(String bootstrap, StreamTopics topics, int expected,
            List<Explanation> explanations, List<DeadLetter> deadLetters) {
        AvroSerde<Explanation> explanationSerde = new AvroSerde<>(Explanation.getClassSchema());
        AvroSerde<DeadLetter> letterSerde = new AvroSerde<>(DeadLetter.getClassSchema());
        try (KafkaConsumer<String, byte[]> explained = TestBroker.readCommitted(bootstrap, topics.explanations(),
                "fuzz-explanations");
                KafkaConsumer<String, byte[]> letters = TestBroker.readCommitted(bootstrap, topics.deadLetters(),
                        "fuzz-dead-letters")) {
            Runnable poll = () -> {
                explained.poll(Duration.ofMillis(100)).forEach(record -> explanations.add(
                        explanationSerde.deserializer().deserialize(record.topic(), record.value())));
                letters.poll(Duration.ofMillis(100)).forEach(record -> deadLetters.add(
                        letterSerde.deserializer().deserialize(record.topic(), record.value())));
            };
            Await.until(Duration.ofSeconds(150), expected + " explanations and dead letters", () -> {
                poll.run();
                return explanations.size() + deadLetters.size() >= expected;
            }, () -> explanations.size() + " explanations and " + deadLetters.size() + " dead letters");
            for (int i = 0; i < 10; i++) {
                poll.run();
            }
        }
    }

    private static Map<Long, Outcome> outcomesByOffset(List<Explanation> explanations,
            List<DeadLetter> deadLetters) {
        Map<Long, Outcome> outcomes = new HashMap<>();
        Function<SourcePosition, Outcome> at = source -> {
            if (!source.getTopic().equals("predictions") || source.getPartition() != 0) {
                throw new AssertionError("expected every output to come from predictions-0, found " + source);
            }
            return outcomes.computeIfAbsent(source.getOffset(),
                    ignored -> new Outcome(new ArrayList<>(), new ArrayList<>()));
        };
        explanations.forEach(explanation -> at.apply(explanation.getSource()).explanations().add(explanation));
        deadLetters.forEach(letter -> at.apply(letter.getSource()).deadLetters().add(letter));
        return outcomes;
    }

    private static void checkValidEvents(Map<Long, String> valid, Map<Long, Outcome> outcomes,
            List<Explanation> explanations, List<String> problems) {
        Map<String, Long> explanationsById = explanations.stream()
                .collect(Collectors.groupingBy(Explanation::getEventId, Collectors.counting()));
        valid.forEach((offset, id) -> {
            Outcome outcome = outcomes.getOrDefault(offset, new Outcome(List.of(), List.of()));
            if (!outcome.deadLetters().isEmpty()) {
                DeadLetter letter = outcome.deadLetters().get(0);
                problems.add("valid event " + id + " at offset " + offset + " was dead-lettered: "
                        + letter.getStage() + " " + letter.getReason() + ": " + letter.getErrorMessage());
            }
            if (outcome.explanations().size() != 1 || !outcome.explanations().get(0).getEventId().equals(id)) {
                problems.add("expected one explanation of valid event " + id + " at offset " + offset + ", found "
                        + outcome.explanations().stream().map(Explanation::getEventId).toList());
            }
            if (explanationsById.getOrDefault(id, 0L) != 1) {
                problems.add("expected valid event " + id + " explained once, found "
                        + explanationsById.getOrDefault(id, 0L) + " explanations with its id");
            }
        });
    }

    private static void checkMutants(Map<Long, EventMutator.Mutant> mutants, Map<Long, Outcome> outcomes,
            List<String> problems) {
        mutants.forEach((offset, mutant) -> {
            Outcome outcome = outcomes.getOrDefault(offset, new Outcome(List.of(), List.of()));
            if (outcome.outputs() != 1) {
                problems.add("expected one explanation or dead letter of the mutant at offset " + offset + " ("
                        + mutant.description() + "), found " + outcome.explanations().size() + " explanations and "
                        + outcome.deadLetters().size() + " dead letters");
            }
            outcome.deadLetters().stream().filter(letter -> !Arrays.equals(bytes(letter.getValue()),
                    mutant.bytes())).findFirst().ifPresent(letter -> problems.add("the dead letter of the mutant "
                    + "at offset " + offset + " (" + mutant.description() + ") changed its bytes: expected "
                    + EventMutator.hex(mutant.bytes()) + ", found " + EventMutator.hex(bytes(letter.getValue()))));
        });
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] result = new byte[copy.remaining()];
        copy.get(result);
        return result;
    }
}
