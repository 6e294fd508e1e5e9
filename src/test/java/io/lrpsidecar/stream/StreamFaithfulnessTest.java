package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.cli.CliLauncher;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.Faithfulness;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.ForwardModel;
import io.lrpsidecar.faithfulness.Order;
import io.lrpsidecar.faithfulness.RegionSpec;
import io.lrpsidecar.faithfulness.RowScores;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.ForwardSession;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sampled faithfulness on the stream, with the real digits demo model on TopologyTestDriver: at 100% every
 * explanation carries the scores {@link FaithfulnessEvaluator} gives for the event's row alone, at 0% none does, the
 * sampled events follow from their ids, and a failing forward run costs the field, never the explanation.
 */
class StreamFaithfulnessTest {
    private static final Path DEMO = Path.of("src/main/resources/demo");
    private static final RuntimeSettings RUNTIME = new RuntimeSettings(DeviceChoice.CPU, 1, 1);
    private static final String COMPOSITE = "epsilon-gamma-box(low=0,high=1)";
    private final Tensor holdout = Npy.read(DEMO.resolve("digits_holdout.npy")).tensor();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private TopologyFixture serve(FaithfulnessSampling sampling, Function<ExplainableModel, ForwardModel> forward) {
        ModelSettings settings = new ModelSettings(COMPOSITE, TargetPolicy.PREDICTED, List.of(), 16,
                Duration.ofSeconds(10), 1.0, 0.0, 1e-3, 1 << 20, 5).withFaithfulness(sampling);
        fixture = new TopologyFixture(new ModelRegistry().add(new ServedModel("digits", "1", "sha-d",
                ExplainableModel.load(DEMO.resolve("digits.onnx")), settings, RUNTIME, TopologyFixture.PARSER,
                forward)), TopologySettings.defaults(), meters);
        return fixture;
    }

    private TopologyFixture serve(FaithfulnessSampling sampling) {
        return serve(sampling, model -> new ForwardSession(model, RUNTIME));
    }

    private PredictionEvent event(String id, int row) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName("digits").setModelVersion("1")
                .setEventTime(Instant.ofEpochMilli(999_000)).setInput(TopologyFixture.row(holdout, row))
                .setReportedClass(0).setAttributes(Map.of()).build();
    }

    private List<Explanation> explain(int events) {
        for (int row = 0; row < events; row++) {
            fixture.send(event("event-" + row, row));
        }
        return fixture.explanations.readValuesToList();
    }

    @Test
    void atFullSamplingEveryExplanationCarriesTheScoresOfTheOfflineEvaluation() {
        for (FaithfulnessSampling sampling : List.of(
                new FaithfulnessSampling(1.0, 8, RegionSpec.SINGLE, new Baseline.Zero()),
                new FaithfulnessSampling(1.0, 5, RegionSpec.parse("2x2"), new Baseline.Blur(1.0)))) {
            serve(sampling);
            List<Explanation> explained = explain(48);
            assertEquals(48, explained.size());
            ExplainableModel model = ExplainableModel.load(DEMO.resolve("digits.onnx"));
            try (ForwardSession forward = new ForwardSession(model, RUNTIME)) {
                FaithfulnessEvaluator offline = new FaithfulnessEvaluator(forward, sampling.curveSettings());
                for (Explanation explanation : explained) {
                    Faithfulness streamed = explanation.getFaithfulness();
                    assertNotNull(streamed, explanation.getEventId().toString());
                    int row = Integer.parseInt(explanation.getEventId().toString().substring("event-".length()));
                    int[] shape = {1, 1, 8, 8};
                    Tensor input = Tensor.of(shape, TensorCodec.values(TopologyFixture.row(holdout, row)));
                    Tensor relevance = Tensor.of(shape, TensorCodec.values(explanation.getRelevance()));
                    RowScores expected = offline.evaluate(input, new int[] {explanation.getTargetClass()},
                            Map.of(COMPOSITE, relevance), Set.of(Order.MORF, Order.LERF)).get(0).rows()
                            .orElseThrow().get(0);
                    assertEquals(expected.abpc(), streamed.getAbpc(), 1e-5, explanation.getEventId().toString());
                    assertEquals(expected.abpcLogit(), streamed.getAbpcLogit(), 1e-5);
                    assertEquals(expected.aopcMorf(), streamed.getAopcMorf(), 1e-5);
                    assertEquals(expected.aopcLerf(), streamed.getAopcLerf(), 1e-5);
                    assertEquals(sampling.steps(), streamed.getSteps());
                    assertEquals(sampling.region().toString(), streamed.getRegion().toString());
                    assertEquals(sampling.baseline().describe(), streamed.getBaseline().toString());
                    assertEquals(streamed.getAbpc(), AvroJson.toJson(explanation).get("faithfulness").get("abpc")
                            .asDouble(), "the query API's JSON carries it");
                }
            }
            assertTrue(explained.stream().mapToDouble(e -> e.getFaithfulness().getAbpc()).average().orElseThrow()
                    > 0, "the relevance order should beat chance on held-out digits on average");
            assertEquals(48, meters.find("lrp.faithfulness.abpc").tag("model", "digits")
                    .tag("composite", CompositeHash.of(explained.get(0).getComposite().toString())).summary()
                    .count());
            fixture.close();
            fixture = null;
            meters.clear();
        }
    }

    @Test
    void atFullSamplingTheStreamGivesWhatLrpEvaluateReportsForTheSameEvents(@TempDir Path folder) throws Exception {
        serve(new FaithfulnessSampling(1.0, 8, RegionSpec.SINGLE, new Baseline.Zero()));
        int events = 48;
        List<Explanation> explained = explain(events);
        assertEquals(events, explained.size());
        int width = holdout.size() / holdout.dim(0);
        Path rows = folder.resolve("rows.npy");
        Npy.write(rows, Tensor.of(new int[] {events, 1, 8, 8}, java.util.Arrays.copyOf(holdout.asDoubles(),
                events * width)), ElementType.FLOAT);
        Path report = folder.resolve("report.json");
        CliLauncher.Result result = new CliLauncher().launch("evaluate", "--model",
                DEMO.resolve("digits.onnx").toString(), "--input", rows.toString(), "--composites", COMPOSITE,
                "--steps", "8", "--region", "1", "--baseline", "zero", "--order", "morf,lerf", "--threads", "1",
                "--output", report.toString());
        assertEquals(0, result.exitCode(), result.error());
        JsonNode source = null;
        for (JsonNode candidate : new ObjectMapper().readTree(report.toFile()).get("sources")) {
            if (candidate.get("name").asText().equals(COMPOSITE)) {
                source = candidate;
            }
        }
        assertNotNull(source, "the report has the composite");
        for (Explanation explanation : explained) {
            int row = Integer.parseInt(explanation.getEventId().toString().substring("event-".length()));
            JsonNode offline = source.get("rows").get(row);
            Faithfulness streamed = explanation.getFaithfulness();
            assertEquals(offline.get("abpc").asDouble(), streamed.getAbpc(), 1e-5, "event " + row);
            assertEquals(offline.get("abpcLogit").asDouble(), streamed.getAbpcLogit(), 1e-5, "event " + row);
            assertEquals(offline.get("aopcMorf").asDouble(), streamed.getAopcMorf(), 1e-5, "event " + row);
            assertEquals(offline.get("aopcLerf").asDouble(), streamed.getAopcLerf(), 1e-5, "event " + row);
        }
    }

    @Test
    void atZeroSamplingNoExplanationCarriesItAndNoForwardPassIsMade() {
        serve(FaithfulnessSampling.off(), model -> {
            throw new AssertionError("no forward pass is needed when nothing is sampled");
        });
        List<Explanation> explained = explain(32);
        assertEquals(32, explained.size());
        explained.forEach(explanation -> assertNull(explanation.getFaithfulness()));
        assertNull(meters.find("lrp.faithfulness.abpc").summary());
    }

    @Test
    void theSampledEventsFollowFromTheirIdsAndReplaysDoNotFeedTheMetric() {
        FaithfulnessSampling sampling = new FaithfulnessSampling(0.3, 4, RegionSpec.SINGLE, new Baseline.Zero());
        serve(sampling);
        List<Explanation> explained = explain(64);
        Set<String> measured = explained.stream().filter(e -> e.getFaithfulness() != null)
                .map(e -> e.getEventId().toString()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = explained.stream().map(e -> e.getEventId().toString()).filter(sampling::sampled)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, measured);
        assertTrue(measured.size() >= 8 && measured.size() <= 32, "about 30% of 64 events, found " + measured);
        assertEquals(measured.size(), (long) meters.find("lrp.faithfulness.abpc").summary().count());

        String sampled = measured.iterator().next();
        fixture.replay(event(sampled, Integer.parseInt(sampled.substring("event-".length()))), "replay-1");
        fixture.driver.advanceWallClockTime(Duration.ofSeconds(11));
        Explanation replayed = fixture.replayed.readValue();
        assertEquals(explained.stream().filter(e -> e.getEventId().toString().equals(sampled)).findFirst()
                .orElseThrow().getFaithfulness(), replayed.getFaithfulness());
        assertEquals(measured.size(), (long) meters.find("lrp.faithfulness.abpc").summary().count());
    }

    @Test
    void theDecisionIsAFixedFunctionOfTheEventId() {
        FaithfulnessSampling tenth = new FaithfulnessSampling(0.1, 8, RegionSpec.SINGLE, new Baseline.Zero());
        long sampled = java.util.stream.IntStream.range(0, 10_000).mapToObj(i -> "id-" + i).filter(tenth::sampled)
                .count();
        assertTrue(sampled > 900 && sampled < 1100, "expected about 1000 of 10000 ids, found " + sampled);
        assertEquals(FaithfulnessSampling.fraction("event-17"), FaithfulnessSampling.fraction("event-17"));
        assertEquals(0.973056016610, FaithfulnessSampling.fraction("demo-3"), 1e-12,
                "the position of an id may not change between versions: a batch reprocessed after an upgrade "
                        + "samples the same events");
        assertTrue(new FaithfulnessSampling(1.0, 8, RegionSpec.SINGLE, new Baseline.Zero()).sampled("any"));
        assertTrue(!FaithfulnessSampling.off().sampled("any"));
    }

    @Test
    void aFailingForwardRunStillEmitsEveryExplanationWithoutTheField() {
        Map<String, Function<ExplainableModel, ForwardModel>> failures = Map.of(
                "IllegalStateException", model -> inputs -> {
                    throw new IllegalStateException("ONNX Runtime failed to run the model: out of memory");
                },
                "GpuUnavailableException", model -> {
                    throw new io.lrpsidecar.runtime.GpuUnavailableException("device=gpu: CUDA is not usable");
                });
        failures.forEach((error, forward) -> {
            serve(new FaithfulnessSampling(1.0, 8, RegionSpec.SINGLE, new Baseline.Zero()), forward);
            List<Explanation> explained = explain(32);
            assertEquals(32, explained.size());
            explained.forEach(explanation -> assertNull(explanation.getFaithfulness()));
            assertTrue(fixture.deadLetters.isEmpty());
            assertEquals(2.0, meters.find("lrp.faithfulness.failures").tag("model", "digits").tag("error", error)
                    .counter().count());
            assertNull(meters.find("lrp.faithfulness.abpc").summary());
            fixture.close();
            fixture = null;
        });
    }
}
