package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.DeviceChoice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Contrastive explanations on the stream: a model configured with {@code contrast=second} explains each event against
 * its runner-up, an event's own {@code contrastClass} wins over the model's setting, both explanations carry the
 * contrast class and hold {@code rel(target) - rel(K)} (checked against the double-precision reference engine), an
 * event of a model without a contrast setting stays plain, an out-of-range contrast class is one dead letter with the
 * reason, and an event written with the version 1 schema (no {@code contrastClass}) is still explained.
 */
class ContrastTopologyTest {
    private TopologyFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void eventAndModelContrastsAreExplainedAndCarriedAndAnOutOfRangeOneIsDeadLettered() throws IOException {
        ModelSettings digits = TopologyFixture.settings(3, Duration.ofSeconds(10), List.of())
                .withContrast(Optional.of(new Contrast.RunnerUp()));
        ModelSettings tabular = TopologyFixture.settings(2, Duration.ofSeconds(10), TopologyFixture.TABULAR_FEATURES);
        fixture = new TopologyFixture(digits, tabular, DeviceChoice.CPU);
        TopologyFixture f = fixture;
        f.send(f.digitEvent("runner-up", 0, 0).build());
        f.send(f.digitEvent("against-one", 1, 0).setContrastClass(1).build());
        sendAsVersion1(f, f.digitEvent("version-1", 2, 0).build());
        f.send(f.breastCancerEvent("plain", 0, 0).build());
        f.send(f.breastCancerEvent("outside", 1, 0).setContrastClass(2).build());
        f.send(f.breastCancerEvent("plain-too", 2, 0).build());

        Map<String, Explanation> explained = f.explanations.readValuesToList().stream()
                .collect(Collectors.toMap(explanation -> explanation.getEventId().toString(), Function.identity()));
        assertEquals(Map.of("runner-up", true, "against-one", true, "version-1", true, "plain", true,
                "plain-too", true), explained.keySet().stream().collect(Collectors.toMap(id -> id, id -> true)));

        Explanation runnerUp = explained.get("runner-up");
        double[] logits = runnerUp.getLogits().stream().mapToDouble(Float::doubleValue).toArray();
        assertEquals(Contrast.runnerUp(logits, runnerUp.getTargetClass()), runnerUp.getContrastClass());
        assertContrastive(f.digits, 0, runnerUp);
        Explanation againstOne = explained.get("against-one");
        assertEquals(1, againstOne.getContrastClass(), "the event's contrast class wins over the model's");
        assertContrastive(f.digits, 1, againstOne);
        Explanation version1 = explained.get("version-1");
        assertEquals(Contrast.runnerUp(version1.getLogits().stream().mapToDouble(Float::doubleValue).toArray(),
                version1.getTargetClass()), version1.getContrastClass());
        assertNull(explained.get("plain").getContrastClass(), "no contrast where neither model nor event asks");
        assertNull(explained.get("plain-too").getContrastClass());

        List<DeadLetter> letters = f.deadLetters.readValuesToList();
        assertEquals(1, letters.size(), letters.toString());
        DeadLetter letter = letters.get(0);
        assertEquals("outside", StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString());
        assertEquals(FailedStage.VALIDATE, letter.getStage());
        assertEquals("contrast-out-of-range", letter.getReason());
        assertEquals("contrast class 2 is outside 0..1: model breast_cancer has 2 classes",
                letter.getErrorMessage());
    }

    /** The streamed relevance equals the reference engine's target minus contrast class, its ledger s_t - s_K. */
    private static void assertContrastive(Tensor inputs, int row, Explanation explanation) {
        int target = explanation.getTargetClass();
        int contrast = explanation.getContrastClass();
        assertTrue(target != contrast, "the test rows are not predicted as their contrast class");
        ExplainableModel model = ExplainableModel.load(ReferenceCase.folder("cnn_digits").resolve("model.onnx"));
        int width = inputs.size() / inputs.dim(0);
        Tensor input = Tensor.of(new int[] {1, 1, 8, 8}, Arrays.copyOfRange(inputs.doubles(), row * width,
                (row + 1) * width));
        io.lrpsidecar.engine.Explanation reference = new ReferenceExplainer(model,
                TopologyFixture.PARSER.parse("epsilon-plus-flat")).explain(input, new Target.Contrastive(
                        new Target.ClassIndex(target), new Contrast.Fixed(contrast)), InitMode.LOGIT);
        double[] expected = reference.relevance().asDoubles();
        double[] actual = TensorCodec.values(explanation.getRelevance());
        double scale = Arrays.stream(expected).map(Math::abs).max().orElseThrow();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * scale, explanation.getEventId() + " pixel " + i);
        }
        double logitGap = explanation.getLogits().get(target) - explanation.getLogits().get(contrast);
        assertEquals(reference.initialRelevance()[0], logitGap, 1e-4);
        assertEquals(Math.abs(logitGap - explanation.getRelevanceSum()) / Math.abs(logitGap),
                explanation.getConservationError(), 1e-6, "conservation is judged against s_t - s_K");
    }

    /** Sends an event as a producer still on the released version 1 schema writes it. */
    private static void sendAsVersion1(TopologyFixture f, PredictionEvent event) throws IOException {
        Schema v1 = ReleasedSchemas.predictionEvent().get(0);
        assertNull(v1.getField("contrastClass"));
        BinaryMessageDecoder<GenericRecord> asV1 = new BinaryMessageDecoder<>(GenericData.get(), v1);
        asV1.addSchema(PredictionEvent.getClassSchema());
        GenericRecord old = asV1.decode(f.events.encode(event));
        f.predictions.pipeInput(event.getEventId().toString().getBytes(StandardCharsets.UTF_8),
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array());
    }
}
