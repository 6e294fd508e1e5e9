package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lrpsidecar.RelevanceAssertions;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.TargetSource;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.ExecutionProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every path of the explain topology on TopologyTestDriver with the real compiled explainer. */
class ExplainTopologyTest {
    private TopologyFixture fixture;

    private TopologyFixture fixture(int maxBatchSize, Duration maxWait) {
        fixture = new TopologyFixture(TopologyFixture.settings(maxBatchSize, maxWait, List.of()),
                TopologyFixture.settings(maxBatchSize, maxWait, TopologyFixture.TABULAR_FEATURES), DeviceChoice.CPU);
        return fixture;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void undecodableBytesGoToTheDeadLettersWithTheirOriginalBytesAndHeaders() {
        TopologyFixture f = fixture(4, Duration.ofSeconds(10));
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders(List.of(new RecordHeader("traceparent",
                "00-abc".getBytes(StandardCharsets.UTF_8))));
        f.predictions.pipeInput(new TestRecord<>("k1".getBytes(StandardCharsets.UTF_8), garbage, headers));
        f.predictions.pipeInput(new TestRecord<>("k2".getBytes(StandardCharsets.UTF_8), new byte[0]));

        DeadLetter first = f.deadLetters.readValue();
        assertEquals(FailedStage.DECODE, first.getStage());
        assertEquals("undecodable", first.getReason());
        assertArrayEquals(garbage, bytes(first.getValue()));
        assertArrayEquals("k1".getBytes(StandardCharsets.UTF_8), bytes(first.getKey()));
        assertArrayEquals("00-abc".getBytes(StandardCharsets.UTF_8), bytes(first.getHeaders().get("traceparent")));
        assertEquals("predictions", first.getSource().getTopic());
        assertEquals(0L, first.getSource().getOffset());
        assertTrue(first.getErrorMessage().startsWith("expected a single-object-encoded PredictionEvent"));
        DeadLetter second = f.deadLetters.readValue();
        assertEquals("empty-value", second.getReason());
        assertEquals(1L, second.getSource().getOffset());
        assertTrue(f.explanations.isEmpty());
    }

    @Test
    void unknownModelsAreDeadLettered() {
        TopologyFixture f = fixture(1, Duration.ofSeconds(10));
        f.send(f.digitEvent("e1", 0, 1).setModelVersion("7").build());
        DeadLetter letter = f.deadLetters.readValue();
        assertEquals(FailedStage.ROUTE, letter.getStage());
        assertEquals("unknown-model", letter.getReason());
        assertTrue(letter.getErrorMessage().contains("no model 'digits' version '7' is served"),
                letter.getErrorMessage());
    }

    @Test
    void invalidEventsAreDeadLetteredWithTheReason() {
        TopologyFixture f = fixture(1, Duration.ofSeconds(10));
        io.lrpsidecar.events.v1.Tensor good = TopologyFixture.row(f.digits, 0);
        double[] withNan = TensorCodec.values(good);
        withNan[5] = Double.NaN;
        ByteBuffer int64 = ByteBuffer.allocate(64 * 8).order(ByteOrder.LITTLE_ENDIAN);
        List<PredictionEvent> invalid = List.of(
                f.digitEvent("shape", 0, 1).setInput(TensorCodec.float32(List.of(1L, 64L), new double[64])).build(),
                f.digitEvent("nan", 0, 1).setInput(TensorCodec.float32(good.getShape(), withNan)).build(),
                f.digitEvent("dtype", 0, 1).setInput(io.lrpsidecar.events.v1.Tensor.newBuilder()
                        .setDtype(DataType.INT64).setShape(good.getShape()).setData(int64).build()).build(),
                f.digitEvent("length", 0, 1).setInput(io.lrpsidecar.events.v1.Tensor.newBuilder()
                        .setDtype(DataType.FLOAT32).setShape(good.getShape()).setData(ByteBuffer.allocate(10))
                        .build()).build(),
                f.digitEvent("target", 0, 1).setTargetClass(10).build(),
                f.digitEvent("composite", 0, 1).setComposite("conv=gama(1)").build(),
                f.digitEvent("", 0, 1).build());
        invalid.forEach(f::send);
        List<String> reasons = f.deadLetters.readValuesToList().stream().map(DeadLetter::getReason).toList();
        assertEquals(List.of("shape-mismatch", "non-finite", "unsupported-dtype", "data-length-mismatch",
                "target-out-of-range", "bad-composite", "missing-event-id"), reasons);
        assertTrue(f.explanations.isEmpty());
        assertEquals(1.0, f.meters.get("lrp.events.dead.lettered").tags("stage", "validate", "reason",
                "non-finite").counter().count());
        assertEquals(7.0, f.meters.get("lrp.events.received").tags("model", "digits").counter().count());
    }

    @Test
    void tooLargeInputsAreRefused() {
        fixture = new TopologyFixture(new ModelSettings("epsilon", TargetPolicy.PREDICTED, List.of(), 1,
                Duration.ofSeconds(1), 1.0, 0.0, 1e-3, 100, 5), TopologyFixture.settings(1, Duration.ofSeconds(1),
                List.of()), DeviceChoice.CPU);
        fixture.send(fixture.digitEvent("big", 0, 1).build());
        DeadLetter letter = fixture.deadLetters.readValue();
        assertEquals("too-large", letter.getReason());
        assertEquals("input of 256 bytes exceeds the limit of 100", letter.getErrorMessage());
    }

    @Test
    void aBatchIsExplainedWhenItIsFull() {
        TopologyFixture f = fixture(4, Duration.ofSeconds(10));
        for (int row = 0; row < 3; row++) {
            f.send(f.digitEvent("d" + row, row, 0).build());
        }
        assertTrue(f.explanations.isEmpty(), "three events wait for the fourth");
        f.send(f.digitEvent("d3", 3, 0).build());
        List<Explanation> explained = f.explanations.readValuesToList();
        assertEquals(List.of("d0", "d1", "d2", "d3"), explained.stream().map(Explanation::getEventId).toList());
        assertTrue(explained.stream().allMatch(e -> e.getTimings().getBatchSize() == 4));
        assertEquals(4, f.metrics.readValuesToList().size());
        assertEquals(4.0, f.meters.get("lrp.events.explained").tags("model", "digits").counter().count());
        assertEquals(1, f.meters.get("lrp.batch.size").summary().count());
        assertEquals(4.0, f.meters.get("lrp.batch.size").summary().max());
        assertEquals(4, f.meters.get("lrp.conservation.error").summary().count());
        assertEquals(4 * explained.get(0).getLedger().size(),
                f.meters.get("lrp.layer.conservation.error").summaries().stream().mapToLong(
                        summary -> summary.count()).sum());
    }

    @Test
    void aBatchIsExplainedWhenItsOldestEventHasWaitedMaxWait() {
        TopologyFixture f = fixture(32, Duration.ofMillis(50));
        f.send(f.digitEvent("t0", 0, 0).build());
        f.driver.advanceWallClockTime(Duration.ofMillis(20));
        f.send(f.digitEvent("t1", 1, 0).build());
        f.driver.advanceWallClockTime(Duration.ofMillis(20));
        assertTrue(f.explanations.isEmpty(), "40 ms after the first event: still waiting");
        f.driver.advanceWallClockTime(Duration.ofMillis(15));
        List<Explanation> explained = f.explanations.readValuesToList();
        assertEquals(List.of("t0", "t1"), explained.stream().map(Explanation::getEventId).toList());
        assertTrue(explained.get(0).getTimings().getQueueWaitMs() >= 50, explained.get(0).getTimings().toString());
    }

    @Test
    void explanationsEqualTheReferenceEngineAndCarryTheLedgerAndNamedFeatures() {
        TopologyFixture f = fixture(2, Duration.ofSeconds(10));
        f.send(f.breastCancerEvent("c0", 0, 0).setTargetClass(1).build());
        f.send(f.breastCancerEvent("c1", 1, 0).build());
        List<Explanation> explained = f.explanations.readValuesToList();
        ExplainableModel model = ExplainableModel.load(ReferenceCase.folder("mlp_tabular").resolve("model.onnx"));
        var reference = new ReferenceExplainer(model, new CompositeParser(file -> null).parse("epsilon-plus-flat"));
        int width = f.tabular.size() / f.tabular.dim(0);
        for (int row = 0; row < 2; row++) {
            Explanation explanation = explained.get(row);
            Tensor input = Tensor.of(new int[] {1, width}, Arrays.copyOfRange(f.tabular.doubles(), row * width,
                    (row + 1) * width));
            Target target = row == 0 ? new Target.ClassIndex(1) : new Target.Predicted();
            var expected = reference.explain(input, target, InitMode.LOGIT);
            RelevanceAssertions.assertRelativeL2(Tensor.of(new int[] {1, width},
                    TensorCodec.values(explanation.getRelevance())), expected.relevance(), 1e-4, "row " + row);
            assertEquals(expected.targets()[0], explanation.getTargetClass());
            assertEquals(row == 0 ? TargetSource.REQUESTED : TargetSource.PREDICTED, explanation.getTargetSource());
            assertEquals(expected.ledger().size(), explanation.getLedger().size());
            assertEquals(expected.conservationError(0), explanation.getConservationError(), 1e-4);
            assertEquals(5, explanation.getTopFeatures().size());
            assertEquals("feature_" + explanation.getTopFeatures().get(0).getIndex(),
                    explanation.getTopFeatures().get(0).getName());
            assertEquals("breast_cancer", explanation.getModelName());
            assertEquals("sha-breast-cancer", explanation.getModelSha256());
            assertEquals("CPUExecutionProvider", explanation.getExecutionProvider());
            assertTrue(explanation.getRuntimeVersions().containsKey("onnxruntime"));
        }
    }

    @Test
    void flagsAreRaisedAndFlaggedPredictionsKeptForReplay() {
        fixture = new TopologyFixture(new ModelSettings("epsilon-plus-flat", TargetPolicy.PREDICTED, List.of(), 1,
                Duration.ofSeconds(1), 1e-12, 0.999999, 1e-3, 1 << 20, 3), TopologyFixture.settings(1,
                Duration.ofSeconds(1), List.of()), DeviceChoice.CPU);
        TopologyFixture f = fixture;
        int predicted = (int) io.lrpsidecar.npy.Npy.read(ReferenceCase.folder("cnn_digits")
                .resolve("predicted.npy")).tensor().asLongs()[0];
        f.send(f.digitEvent("fine", 0, predicted).build());
        f.send(f.digitEvent("mislabeled", 0, predicted).setLabel((predicted + 1) % 10).build());
        f.send(f.digitEvent("mismatch", 0, (predicted + 1) % 10).build());
        f.send(f.digitEvent("scores", 0, predicted).setReportedScores(List.of(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
                0f)).build());
        List<Explanation> explained = f.explanations.readValuesToList();
        assertEquals(List.of(Flag.CONSERVATION, Flag.LOW_CONFIDENCE), explained.get(0).getFlags());
        assertEquals(List.of(Flag.MISCLASSIFIED, Flag.CONSERVATION, Flag.LOW_CONFIDENCE),
                explained.get(1).getFlags());
        assertEquals(List.of(Flag.PREDICTION_MISMATCH, Flag.CONSERVATION, Flag.LOW_CONFIDENCE),
                explained.get(2).getFlags());
        assertEquals(List.of(Flag.PREDICTION_MISMATCH, Flag.CONSERVATION, Flag.LOW_CONFIDENCE),
                explained.get(3).getFlags());
        List<FlaggedPrediction> kept = f.flagged.readValuesToList();
        assertEquals(4, kept.size());
        assertEquals("mislabeled", kept.get(1).getEvent().getEventId());
        assertEquals(explained.get(1).getComposite(), kept.get(1).getComposite());
    }

    @Test
    void wellBehavedPredictionsRaiseNoFlags() {
        TopologyFixture f = fixture(1, Duration.ofSeconds(1));
        int predicted = (int) io.lrpsidecar.npy.Npy.read(ReferenceCase.folder("cnn_digits")
                .resolve("predicted.npy")).tensor().asLongs()[0];
        f.send(f.digitEvent("fine", 0, predicted).setLabel(predicted).build());
        assertEquals(List.of(), f.explanations.readValue().getFlags());
        assertTrue(f.flagged.isEmpty());
    }

    @Test
    void aFailingExplainerSendsTheBatchToTheDeadLettersAfterItsAttempts() {
        assumeTrue(ExecutionProvider.probeCuda() != null, "device=gpu fails only where CUDA cannot be used");
        fixture = new TopologyFixture(TopologyFixture.settings(2, Duration.ofSeconds(1), List.of()),
                TopologyFixture.settings(2, Duration.ofSeconds(1), List.of()), DeviceChoice.GPU);
        TopologyFixture f = fixture;
        f.send(f.digitEvent("g0", 0, 1).build());
        f.send(f.digitEvent("g1", 1, 1).build());
        List<DeadLetter> letters = f.deadLetters.readValuesToList();
        assertEquals(2, letters.size());
        DeadLetter letter = letters.get(0);
        assertEquals(FailedStage.EXPLAIN, letter.getStage());
        assertEquals("explainer-failed", letter.getReason());
        assertTrue(letter.getErrorMessage().startsWith("explaining a batch of 2 failed 3 times: device=gpu"),
                letter.getErrorMessage());
        assertArrayEquals(f.events.encode(f.digitEvent("g0", 0, 1).build()), bytes(letter.getValue()));
        assertTrue(f.explanations.isEmpty());
        f.driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertTrue(f.deadLetters.isEmpty(), "the failed events left the store");
    }

    @Test
    void replayedPredictionsGoToTheReplayTopicWithTheirReplayIdAndAreKeptOncePerComposite() {
        TopologyFixture f = fixture(1, Duration.ofSeconds(10));
        f.send(f.digitEvent("r0", 0, 0).build());
        Explanation live = f.explanations.readValue();
        f.metrics.readValuesToList();
        f.flagged.readValuesToList();
        f.replay(f.digitEvent("r0", 0, 0).setComposite("epsilon").build(), "replay-1");
        f.replay(f.digitEvent("r0", 0, 0).setComposite("epsilon").build(), "replay-2");
        List<org.apache.kafka.streams.test.TestRecord<String, Explanation>> replayed = f.replayed.readRecordsToList();
        assertEquals(2, replayed.size());
        assertEquals(List.of("replay-1", "replay-2"), replayed.stream().map(record ->
                ReplayHeader.of(record.headers()).orElseThrow()).toList());
        assertTrue(replayed.stream().allMatch(record -> record.value().getComposite().startsWith("epsilon")
                && !record.value().getComposite().startsWith("epsilon-plus")), replayed.get(0).value().getComposite());
        assertTrue(f.explanations.isEmpty() && f.metrics.isEmpty() && f.flagged.isEmpty(),
                "a replay publishes only to the replay topic");
        var store = f.driver.<String, org.apache.kafka.common.utils.Bytes>getKeyValueStore(RecentExplanations.STORE);
        var index = f.driver.<String, String>getKeyValueStore(RecentExplanations.INDEX);
        List<String> keys = new java.util.ArrayList<>();
        store.all().forEachRemaining(entry -> keys.add(entry.key));
        assertEquals(List.of(RecentExplanations.key("r0", live.getCompositeHash(), false),
                RecentExplanations.key("r0", replayed.get(0).value().getCompositeHash(), true)).stream().sorted()
                .toList(), keys, "the live and the replayed composite, each once");
        f.replay(f.digitEvent("r0", 0, 0).build(), "replay-same-composite");
        assertEquals(live.getCompositeHash(), f.replayed.readValue().getCompositeHash());
        keys.clear();
        store.all().forEachRemaining(entry -> keys.add(entry.key));
        assertEquals(List.of(RecentExplanations.key("r0", live.getCompositeHash(), false),
                RecentExplanations.key("r0", live.getCompositeHash(), true),
                RecentExplanations.key("r0", replayed.get(0).value().getCompositeHash(), true)).stream().sorted()
                .toList(), keys, "a replay with the live composite is kept beside the original, never over it");
        List<String> indexed = new java.util.ArrayList<>();
        index.all().forEachRemaining(entry -> indexed.add(entry.value));
        assertEquals(keys.stream().sorted().toList(), indexed.stream().sorted().toList(),
                "one index entry per kept explanation");
        f.replay(f.digitEvent("r1", 1, 0).setModelName("nobody").build(), "replay-3");
        org.apache.kafka.streams.test.TestRecord<byte[], DeadLetter> letter = f.deadLetters.readRecord();
        assertEquals("replay-3", ReplayHeader.of(letter.headers()).orElseThrow());
        f.driver.advanceWallClockTime(TopologySettings.defaults().recentRetention().plusMinutes(2));
        // counted, not RocksDB's approximateNumEntries, which may still include deleted keys
        assertEquals(0, countOf(store) + countOf(index), "expired explanations are removed");
    }

    private static long countOf(org.apache.kafka.streams.state.KeyValueStore<String, ?> store) {
        long count = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] result = new byte[copy.remaining()];
        copy.get(result);
        return result;
    }
}
