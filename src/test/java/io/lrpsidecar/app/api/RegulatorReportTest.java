package io.lrpsidecar.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.stream.FeatureScaler;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.RecentExplanations;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.SingleEventExplainer;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.engine.composite.CompositeParser;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The regulator's report on the bundled demo models and their held-out rows, explained as the service explains them
 * (class names, the breast-cancer scaler): the JSON fields say the decision and its probability, the reasons for and
 * against with raw values, the model and method; the HTML page shows event-supplied text as text; an image model
 * has no report.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegulatorReportTest {
    private static final Path DEMO = Path.of("src", "main", "resources", "demo");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STORED_AT = 1_790_000_000_000L;
    private static final Instant EVENT_TIME = Instant.ofEpochMilli(STORED_AT - 1_500);
    private final Tensor cancer = Npy.read(DEMO.resolve("breast_cancer_holdout.npy")).tensor();
    private final Tensor digits = Npy.read(DEMO.resolve("digits_holdout.npy")).tensor();
    private Map<String, List<Double>> scaler;
    private ModelRegistry registry;
    private SingleEventExplainer explainer;

    @BeforeAll
    void serveTheDemoModels() throws IOException {
        scaler = JSON.readValue(DEMO.resolve("breast_cancer_scaler.json").toFile(), new TypeReference<>() {
        });
        List<String> features = JSON.readValue(DEMO.resolve("breast_cancer_features.json").toFile(),
                new TypeReference<>() {
                });
        RuntimeSettings runtime = new RuntimeSettings(DeviceChoice.CPU, 1, 1);
        CompositeParser parser = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());
        registry = new ModelRegistry()
                .add(new ServedModel("breast_cancer", "1", "b".repeat(64), ExplainableModel.load(
                        DEMO.resolve("breast_cancer.onnx")), settings("epsilon", features).withPresentation(
                        new ModelSettings.Presentation(List.of("malignant", "benign"), 2, Optional.of(
                                FeatureScaler.standard(scaler.get("mean"), scaler.get("scale"))))), runtime, parser))
                .add(new ServedModel("digits", "1", "d".repeat(64), ExplainableModel.load(
                        DEMO.resolve("digits.onnx")), settings("epsilon", List.of()), runtime, parser));
        explainer = new SingleEventExplainer(registry);
    }

    @AfterAll
    void close() {
        registry.close();
    }

    private static ModelSettings settings(String composite, List<String> features) {
        return new ModelSettings(composite, TargetPolicy.PREDICTED, features, 1, Duration.ofSeconds(1), 1.0, 0.0,
                1e-3, 1 << 20, 8);
    }

    private Explanation explainCancer(String id, int row, Integer label) throws Exception {
        int width = cancer.size() / cancer.dim(0);
        return explainer.explain(PredictionEvent.newBuilder().setEventId(id).setModelName("breast_cancer")
                .setModelVersion("1").setEventTime(Instant.ofEpochMilli(STORED_AT))
                .setInput(TensorCodec.float32(List.of((long) width), Arrays.copyOfRange(cancer.doubles(),
                        row * width, (row + 1) * width)))
                .setReportedClass(0).setLabel(label).setAttributes(Map.of()).build());
    }

    @Test
    void theJsonReportSaysTheDecisionItsProbabilityAndTheSignedReasonsWithRawValues() throws Exception {
        int width = cancer.size() / cancer.dim(0);
        for (int row = 0; row < 20; row++) {
            Explanation explanation = explainCancer("bc-" + row, row, null);
            JsonNode report = JSON.valueToTree(RegulatorReport.of(new RecentExplanations.Stored(STORED_AT,
                    explanation, false), Optional.of(EVENT_TIME)));
            String context = "row " + row + ": " + report;
            assertEquals("bc-" + row, report.get("eventId").asText());
            assertEquals(Instant.ofEpochMilli(STORED_AT).toString(), report.get("explainedAt").asText());
            assertEquals(EVENT_TIME.toString(), report.get("decidedAt").asText(), "the prediction's own time");
            assertEquals("original", report.get("origin").asText());

            JsonNode decision = report.get("decision");
            List<Double> probabilities = explanation.getProbabilities();
            int argmax = probabilities.get(1) > probabilities.get(0) ? 1 : 0;
            assertEquals(argmax, decision.get("predictedClass").asInt(), context);
            assertEquals(List.of("malignant", "benign").get(argmax), decision.get("predictedClassName").asText());
            assertEquals(probabilities.get(argmax), decision.get("probability").asDouble(), 0.0, context);
            assertTrue(decision.get("probability").asDouble() >= 0.5, context);
            assertEquals("predicted", decision.get("explainedBecause").asText());

            double[] input = Arrays.copyOfRange(cancer.doubles(), row * width, (row + 1) * width);
            JsonNode supporting = report.get("supporting");
            JsonNode opposing = report.get("opposing");
            assertEquals(8, supporting.size() + opposing.size(), "the 8 top features, split by sign: " + context);
            double previous = Double.POSITIVE_INFINITY;
            for (JsonNode reason : supporting) {
                assertTrue(reason.get("relevance").asDouble() > 0, context);
                assertTrue(reason.get("relevance").asDouble() <= previous, "largest first: " + context);
                previous = reason.get("relevance").asDouble();
            }
            previous = Double.NEGATIVE_INFINITY;
            for (JsonNode reason : opposing) {
                assertTrue(reason.get("relevance").asDouble() < 0, context);
                assertTrue(reason.get("relevance").asDouble() >= previous, "most negative first: " + context);
                previous = reason.get("relevance").asDouble();
            }
            for (JsonNode reason : List.of(supporting, opposing).stream().flatMap(list -> IntStream.range(0,
                    list.size()).mapToObj(list::get)).toList()) {
                int index = reason.get("index").asInt();
                assertEquals(input[index], reason.get("value").asDouble(), 1e-6, context);
                double raw = input[index] * scaler.get("scale").get(index) + scaler.get("mean").get(index);
                assertEquals(raw, reason.get("rawValue").asDouble(), 1e-4 * Math.max(1, Math.abs(raw)), context);
                assertNotNull(reason.get("feature").textValue(), context);
            }

            assertEquals("breast_cancer", report.get("model").get("name").asText());
            assertEquals("1", report.get("model").get("version").asText());
            assertEquals("b".repeat(64), report.get("model").get("sha256").asText());
            JsonNode method = report.get("method");
            assertEquals("epsilon", method.get("composite").asText().replaceAll("\\(.*", ""));
            assertEquals(explanation.getCompositeHash(), method.get("compositeHash").asText());
            assertEquals(explanation.getConservationError(), method.get("conservationError").asDouble(), 0.0);
            assertEquals(explanation.getTargetLogit(), method.get("explainedLogit").asDouble(), 0.0);
            assertEquals(explanation.getRuntimeVersions().get("lrp-sidecar"), method.get("explainerVersion")
                    .asText());
            assertTrue(method.get("runtimeVersions").has("onnxruntime"), context);
            assertFalse(method.get("runtimeVersions").has("lrp-sidecar"), "the explainer is named apart");
            assertTrue(report.get("relevanceMeaning").asText().contains("not a causal effect"), context);
        }
    }

    @Test
    void thePageShowsAnEventIdHoldingMarkupAsText() throws Exception {
        String hostile = "bc-<script>alert(\"x\")</script><img src=x onerror='alert(1)'>&amp;";
        Explanation explanation = explainCancer(hostile, 3, 1);
        String page = ReportPage.render(RegulatorReport.of(new RecentExplanations.Stored(STORED_AT, explanation,
                true), Optional.empty()));
        assertFalse(page.contains("<script"), page);
        assertFalse(page.contains("<img"), page);
        assertFalse(page.contains("onerror='"), page);
        assertTrue(page.contains("<code id=\"event-id\">bc-&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img "
                + "src=x onerror=&#39;alert(1)&#39;&gt;&amp;amp;</code>"), page);
        assertTrue(page.contains("<td id=\"label\">benign (class 1)</td>"), page);
        assertTrue(page.contains("(replay explanation)"), page);
        assertTrue(page.contains("decided at <time id=\"decided-at\">(the event is no longer kept)</time>"), page);
        assertTrue(page.contains("not a causal effect"), page);
    }

    @Test
    void aProbabilityThatIsNotCertainIsNeverPrintedAsAHundredPercent() {
        assertEquals("87.3%", ReportPage.percent(0.8731));
        assertEquals("99.9%", ReportPage.percent(0.99949));
        assertEquals(">99.9%", ReportPage.percent(0.99996));
        assertEquals("100.0%", ReportPage.percent(1.0));
    }

    @Test
    void anImageModelHasNoReport() throws Exception {
        Explanation digit = explainer.explain(PredictionEvent.newBuilder().setEventId("d-0").setModelName("digits")
                .setModelVersion("1").setEventTime(Instant.ofEpochMilli(STORED_AT))
                .setInput(TensorCodec.float32(List.of(1L, 8L, 8L), Arrays.copyOfRange(digits.doubles(), 0, 64)))
                .setReportedClass(0).setAttributes(Map.of()).build());
        ApiException refused = assertThrows(ApiException.class, () -> RegulatorReport.of(
                new RecentExplanations.Stored(STORED_AT, digit, false), Optional.empty()));
        assertEquals(409, refused.status());
        assertEquals("not-tabular", refused.reason());
        assertTrue(refused.getMessage().contains("expected an explanation of a tabular model"), refused.getMessage());
        assertTrue(refused.getMessage().contains("found an image model"), refused.getMessage());
    }
}
