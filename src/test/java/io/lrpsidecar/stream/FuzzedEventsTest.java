package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.runtime.DeviceChoice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The explain topology against {@value #MUTANTS} mutated {@link PredictionEvent} records (fixed seed): bit flips,
 * hostile length prefixes, truncation and trailing bytes, each mutant followed by a valid event. Every valid event is
 * explained exactly once, every mutant yields exactly one explanation or one dead letter (matched by source position)
 * and a dead letter keeps the mutant's bytes unchanged; no record makes the topology throw, so the stream never
 * stops.
 */
class FuzzedEventsTest {
    private static final int MUTANTS = 10_000;
    private static final long SEED = 9_2026L;
    private static final int PAIRS_PER_CLOCK_TICK = 8;
    private static final Duration CLOCK_TICK = Duration.ofMillis(20);
    private static final int PROBLEMS_SHOWN = 20;

    /** What one input record led to. */
    private record Outcome(List<Explanation> explanations, List<DeadLetter> deadLetters) {
        int outputs() {
            return explanations.size() + deadLetters.size();
        }
    }

    @Test
    void everyMutantIsExplainedOrDeadLetteredOnceAndEveryValidEventIsExplainedOnce() {
        ModelSettings settings = TopologyFixture.settings(16, Duration.ofMillis(50),
                TopologyFixture.TABULAR_FEATURES);
        try (TopologyFixture f = new TopologyFixture(settings, settings, DeviceChoice.CPU)) {
            List<byte[]> originals = originals(f).stream().map(f.events::encode).toList();
            Random random = new Random(SEED);
            EventMutator mutator = new EventMutator(random);
            Map<Long, EventMutator.Mutant> mutants = new HashMap<>();
            Map<Long, String> valid = new HashMap<>();
            long offset = 0;
            for (int i = 0; i < MUTANTS; i++) {
                EventMutator.Mutant mutant = mutator.mutate(originals.get(random.nextInt(originals.size())),
                        EventMutator.Kind.values()[i % EventMutator.Kind.values().length]);
                pipe(f, "mutant-" + i, mutant.bytes(), "mutant " + i + " (" + mutant.description() + ")");
                mutants.put(offset++, mutant);
                String id = "valid-" + i;
                pipe(f, id, f.events.encode(f.creditEvent(id, i % f.tabular.dim(0), 0).build()),
                        "the valid event after mutant " + i);
                valid.put(offset++, id);
                if (i % PAIRS_PER_CLOCK_TICK == PAIRS_PER_CLOCK_TICK - 1) {
                    f.driver.advanceWallClockTime(CLOCK_TICK);
                }
            }
            f.driver.advanceWallClockTime(Duration.ofSeconds(1));

            List<Explanation> explanations = f.explanations.readValuesToList();
            List<DeadLetter> deadLetters = f.deadLetters.readValuesToList();
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

    /** The records the mutants start from: between them, every field of a PredictionEvent is set. */
    private static List<PredictionEvent> originals(TopologyFixture f) {
        double[] row = TensorCodec.values(TopologyFixture.row(f.tabular, 4));
        ByteBuffer float64 = ByteBuffer.allocate(row.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(row).forEach(float64::putDouble);
        float64.flip();
        return List.of(
                f.creditEvent("original-plain", 0, 0).build(),
                f.creditEvent("original-scored", 1, 1).setReportedScores(List.of(-1.5f, 2.25f)).setLabel(1).build(),
                f.creditEvent("original-traced", 2, 0).setTargetClass(1)
                        .setTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                        .setAttributes(Map.of("region", "eu-west", "channel", "web")).build(),
                f.creditEvent("original-composite", 3, 0).setComposite("epsilon-plus-flat").build(),
                f.creditEvent("original-float64", 4, 0).setInput(io.lrpsidecar.events.v1.Tensor.newBuilder()
                        .setDtype(DataType.FLOAT64).setShape(List.of(1L, (long) row.length)).setData(float64)
                        .build()).build());
    }

    private static void pipe(TopologyFixture f, String key, byte[] value, String what) {
        try {
            f.predictions.pipeInput(key.getBytes(StandardCharsets.UTF_8), value);
        } catch (Throwable thrown) {
            throw new AssertionError("expected the topology to explain or dead-letter " + what + ", but it threw "
                    + thrown + "; the record: " + EventMutator.hex(value), thrown);
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
