package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.RelevanceAssertions;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.Token;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A token model in the explain topology: the text transformer (int64 ids, 12 tokens, 3 classes) served with
 * {@code attnlrp}, a vocabulary file and padding id 0, on TopologyTestDriver with the real compiled explainer.
 */
class TokenTopologyTest {
    private static final Path MODEL = ReferenceCase.folder("text_transformer").resolve("model.onnx");
    private static final Tensor IDS = Npy.read(ReferenceCase.folder("text_transformer").resolve("input.npy"))
            .tensor();
    private static final int TOKENS = 12;
    /** Rows 4 to 7 of input.npy: rows 5 and 6 end in padding. */
    private static final int FIRST_ROW = 4;
    private static final int ROWS = 4;
    private TopologyFixture fixture;

    static Path vocabularyFile() {
        try {
            return Path.of(TokenTopologyTest.class.getResource("/vocabulary/text_transformer.txt").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModelSettings settings(Vocabulary vocabulary) {
        return new ModelSettings("attnlrp", TargetPolicy.PREDICTED, List.of(), ROWS, Duration.ofSeconds(10), 1.0,
                0.0, 1e-3, 1 << 20, 5, ModelSettings.OverridePolicy.defaults(), vocabulary);
    }

    private TopologyFixture fixture() throws IOException {
        Vocabulary vocabulary = new Vocabulary(Vocabulary.read(vocabularyFile()), OptionalLong.of(0));
        fixture = new TopologyFixture(new ModelRegistry().add(new ServedModel("text", "1", "sha-text",
                ExplainableModel.load(MODEL), settings(vocabulary), new RuntimeSettings(DeviceChoice.CPU, 1, 1),
                TopologyFixture.PARSER)), TopologySettings.defaults(), new SimpleMeterRegistry());
        return fixture;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static long[] ids(int row) {
        return Arrays.copyOfRange(IDS.longs(), row * TOKENS, (row + 1) * TOKENS);
    }

    private static PredictionEvent.Builder event(String id, io.lrpsidecar.events.v1.Tensor input) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName("text").setModelVersion("1")
                .setEventTime(Instant.ofEpochMilli(999_000)).setInput(input).setReportedClass(0)
                .setAttributes(Map.of());
    }

    private static io.lrpsidecar.events.v1.Tensor int32(long[] ids) {
        ByteBuffer buffer = ByteBuffer.allocate(ids.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long id : ids) {
            buffer.putInt((int) id);
        }
        buffer.flip();
        return io.lrpsidecar.events.v1.Tensor.newBuilder().setDtype(DataType.INT32).setShape(List.of((long) ids.length))
                .setData(buffer).build();
    }

    @Test
    void tokenEventsAreExplainedPerTokenAsTheReferenceEngineDoesWithTheirStrings() throws IOException {
        TopologyFixture f = fixture();
        for (int row = FIRST_ROW; row < FIRST_ROW + ROWS; row++) {
            // one event as INT32 ids (widened), the others INT64; one shaped [1, 12], the others [12]
            io.lrpsidecar.events.v1.Tensor input = row == FIRST_ROW + 1 ? int32(ids(row))
                    : TensorCodec.int64(row == FIRST_ROW + 2 ? List.of(1L, 12L) : List.of(12L), ids(row));
            f.send(event("t" + row, input).build());
        }
        List<Explanation> explained = f.explanations.readValuesToList();
        assertEquals(List.of("t4", "t5", "t6", "t7"), explained.stream().map(Explanation::getEventId).toList(),
                "dead letters: " + f.deadLetters.readValuesToList().stream().map(letter -> letter.getReason() + ": "
                        + letter.getErrorMessage()).toList());
        ExplainableModel model = ExplainableModel.load(MODEL);
        var reference = new ReferenceExplainer(model, TopologyFixture.PARSER.parse("attnlrp"));
        List<String> vocabulary = Vocabulary.read(vocabularyFile());
        for (int index = 0; index < ROWS; index++) {
            int row = FIRST_ROW + index;
            Explanation explanation = explained.get(index);
            var expected = reference.explain(Tensor.ofLongs(new int[] {1, TOKENS}, ids(row)), new Target.Predicted(),
                    InitMode.LOGIT);
            double[] relevance = TensorCodec.values(explanation.getRelevance());
            assertEquals(index == 2 ? List.of(1L, 12L) : List.of(12L), explanation.getRelevance().getShape());
            RelevanceAssertions.assertRelativeL2(Tensor.of(new int[] {1, TOKENS}, relevance), expected.relevance(),
                    1e-4, "row " + row);
            assertEquals(expected.targets()[0], explanation.getTargetClass());
            List<Token> tokens = explanation.getTokens();
            assertEquals(TOKENS, tokens.size());
            for (int position = 0; position < TOKENS; position++) {
                long id = ids(row)[position];
                Token token = tokens.get(position);
                assertEquals(id, token.getId());
                assertEquals(vocabulary.get((int) id), token.getText());
                assertEquals(id == 0, token.getPadding());
                if (id == 0) {
                    assertEquals(0.0, relevance[position], "row " + row + ": padding at " + position);
                }
            }
            var top = explanation.getTopFeatures().get(0);
            assertEquals(vocabulary.get((int) ids(row)[top.getIndex()]) + " (position " + top.getIndex() + ")",
                    top.getName());
        }
        assertTrue(Arrays.stream(ids(FIRST_ROW + 2)).filter(id -> id == 0).count() == 5,
                "row 6 has five padding tokens");
    }

    @Test
    void floatInputsAndIdsOutsideTheVocabularyAreDeadLetteredWithTheReason() throws IOException {
        TopologyFixture f = fixture();
        long[] tooLarge = ids(FIRST_ROW);
        tooLarge[3] = 40;
        long[] negative = ids(FIRST_ROW);
        negative[7] = -1;
        f.send(event("float", TensorCodec.float32(List.of(12L), Arrays.stream(ids(FIRST_ROW)).asDoubleStream()
                .toArray())).build());
        f.send(event("too-large", TensorCodec.int64(List.of(12L), tooLarge)).build());
        f.send(event("negative", TensorCodec.int64(List.of(12L), negative)).build());
        f.send(event("short", TensorCodec.int64(List.of(11L), Arrays.copyOf(ids(FIRST_ROW), 11))).build());
        List<DeadLetter> letters = f.deadLetters.readValuesToList();
        assertEquals(List.of("unsupported-dtype", "token-out-of-range", "token-out-of-range", "shape-mismatch"),
                letters.stream().map(DeadLetter::getReason).toList());
        assertTrue(letters.stream().allMatch(letter -> letter.getStage() == FailedStage.VALIDATE));
        assertEquals("model text takes token ids: expected an INT64 (or INT32) input, found FLOAT32",
                letters.get(0).getErrorMessage());
        assertEquals("input position 3 holds token id 40; model text expects ids in [0, 40)",
                letters.get(1).getErrorMessage());
        assertEquals("input position 7 holds token id -1; model text expects ids in [0, 40)",
                letters.get(2).getErrorMessage());
        assertTrue(f.explanations.isEmpty());
    }

    @Test
    void aVocabularyMustFitTheModel() throws IOException {
        RuntimeSettings runtime = new RuntimeSettings(DeviceChoice.CPU, 1, 1);
        List<String> tooMany = new java.util.ArrayList<>(Vocabulary.read(vocabularyFile()));
        tooMany.add("extra");
        var tooLong = assertThrows(IllegalArgumentException.class, () -> new ServedModel("text", "1", "sha",
                ExplainableModel.load(MODEL), settings(new Vocabulary(tooMany, OptionalLong.empty())), runtime,
                TopologyFixture.PARSER));
        assertEquals("model text: expected a vocabulary of at most 40 tokens (the rows of the model's embedding "
                + "table), found 41", tooLong.getMessage());
        var badPadding = assertThrows(IllegalArgumentException.class, () -> new ServedModel("text", "1", "sha",
                ExplainableModel.load(MODEL), settings(new Vocabulary(List.of(), OptionalLong.of(40))), runtime,
                TopologyFixture.PARSER));
        assertEquals("model text: expected a padding token id in [0, 40), found 40", badPadding.getMessage());
        var floatModel = assertThrows(IllegalArgumentException.class, () -> new ServedModel("breast_cancer", "1", "sha",
                ExplainableModel.load(ReferenceCase.folder("mlp_tabular").resolve("model.onnx")),
                settings(new Vocabulary(List.of("a"), OptionalLong.empty())).withVocabulary(
                        new Vocabulary(List.of("a"), OptionalLong.empty())), runtime, TopologyFixture.PARSER));
        assertTrue(floatModel.getMessage().startsWith("model breast_cancer: a vocabulary or padding token id is "
                + "configured, but its input"), floatModel.getMessage());
    }

    @Test
    void explanationsOfFloatModelsCarryNoTokens() {
        fixture = new TopologyFixture(TopologyFixture.settings(1, Duration.ofSeconds(10), List.of()),
                TopologyFixture.settings(1, Duration.ofSeconds(10), List.of()), DeviceChoice.CPU);
        fixture.send(fixture.breastCancerEvent("c0", 0, 0).build());
        assertNull(fixture.explanations.readValue().getTokens());
    }

    @Test
    void idsAreDecodedAsLongsAndWidenedFromInt32() {
        long[] ids = {0, 39, 1L << 40};
        assertArrayEquals(ids, TensorCodec.longs(TensorCodec.int64(List.of(3L), ids)));
        assertArrayEquals(new long[] {5, -1, 39}, TensorCodec.longs(int32(new long[] {5, -1, 39})));
        var refused = assertThrows(IllegalArgumentException.class, () -> TensorCodec.longs(
                TensorCodec.float32(List.of(1L), new double[] {1})));
        assertEquals("expected an INT32 or INT64 tensor, found FLOAT32", refused.getMessage());
    }
}
