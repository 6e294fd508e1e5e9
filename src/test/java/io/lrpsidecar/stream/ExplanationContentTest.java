package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.events.v1.ClassProbability;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FeatureRelevance;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an explanation tells its reader, on the bundled demo models and their held-out rows through the topology: the
 * event's label and reported class and scores, the softmax probabilities of the sidecar's logits, the most probable
 * classes by name, and each top feature's model value and raw value.
 */
class ExplanationContentTest {
    private static final Path DEMO = Path.of("src", "main", "resources", "demo");
    private static final List<String> DIGIT_NAMES = IntStream.range(0, 10).mapToObj(String::valueOf).toList();

    private final Tensor digits = Npy.read(DEMO.resolve("digits_holdout.npy")).tensor();
    private final long[] digitLabels = Npy.read(DEMO.resolve("digits_labels.npy")).tensor().asLongs();
    private final Tensor cancer = Npy.read(DEMO.resolve("breast_cancer_holdout.npy")).tensor();
    private final long[] cancerLabels = Npy.read(DEMO.resolve("breast_cancer_labels.npy")).tensor().asLongs();
    private Map<String, List<Double>> scaler;
    private TopologyFixture fixture;

    @BeforeEach
    void serveTheDemoModels() throws IOException {
        scaler = new ObjectMapper().readValue(DEMO.resolve("breast_cancer_scaler.json").toFile(),
                new TypeReference<>() {
                });
        List<String> features = new ObjectMapper().readValue(DEMO.resolve("breast_cancer_features.json").toFile(),
                new TypeReference<>() {
                });
        RuntimeSettings runtime = new RuntimeSettings(DeviceChoice.CPU, 1, 1);
        ModelSettings digitSettings = settings("epsilon-gamma-box(low=0,high=1)", List.of(), 3)
                .withPresentation(new ModelSettings.Presentation(DIGIT_NAMES, 5, Optional.empty()));
        ModelSettings cancerSettings = settings("epsilon", features, 30).withPresentation(
                new ModelSettings.Presentation(List.of("malignant", "benign"), 5,
                        Optional.of(FeatureScaler.standard(scaler.get("mean"), scaler.get("scale")))));
        fixture = new TopologyFixture(new ModelRegistry()
                .add(new ServedModel("digits", "1", "sha-d", ExplainableModel.load(DEMO.resolve("digits.onnx")),
                        digitSettings, runtime, TopologyFixture.PARSER))
                .add(new ServedModel("breast_cancer", "1", "sha-b", ExplainableModel.load(
                        DEMO.resolve("breast_cancer.onnx")), cancerSettings, runtime, TopologyFixture.PARSER)),
                TopologySettings.defaults(), new SimpleMeterRegistry());
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static ModelSettings settings(String composite, List<String> features, int topFeatures) {
        return new ModelSettings(composite, TargetPolicy.PREDICTED, features, 1, Duration.ofSeconds(10), 1.0, 0.0,
                1e-3, 1 << 20, topFeatures);
    }

    private static PredictionEvent event(String id, String model, Tensor rows, int row, int reported,
            List<Float> scores, Integer label) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName(model).setModelVersion("1")
                .setEventTime(Instant.ofEpochMilli(999_000)).setInput(TopologyFixture.row(rows, row))
                .setReportedClass(reported).setReportedScores(scores).setLabel(label).setAttributes(Map.of())
                .build();
    }

    /** The softmax of float logits, computed here in the textbook form. */
    private static double[] softmax(List<Float> logits) {
        double sum = logits.stream().mapToDouble(Math::exp).sum();
        return logits.stream().mapToDouble(logit -> Math.exp(logit) / sum).toArray();
    }

    @Test
    void digitsCarryTheLabelTheReportedClassTheProbabilitiesAndTheTopFiveNamedClasses() {
        List<Float> scores = List.of(0.5f, 2f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
        int rows = 40;
        for (int row = 0; row < rows; row++) {
            fixture.send(event("d" + row, "digits", digits, row, 1, scores, (int) digitLabels[row]));
        }
        List<Explanation> explained = fixture.explanations.readValuesToList();
        assertEquals(rows, explained.size());
        int misclassified = 0;
        for (Explanation explanation : explained) {
            int row = Integer.parseInt(explanation.getEventId().substring(1));
            int label = (int) digitLabels[row];
            assertEquals(label, explanation.getLabel());
            assertEquals(String.valueOf(label), explanation.getLabelName());
            assertEquals(1, explanation.getReportedClass());
            assertEquals("1", explanation.getReportedClassName());
            assertEquals(scores, explanation.getReportedScores());
            assertEquals(String.valueOf(explanation.getPredictedClass()), explanation.getPredictedClassName());
            assertEquals(String.valueOf(explanation.getTargetClass()), explanation.getTargetClassName());

            double[] expected = softmax(explanation.getLogits());
            List<Double> probabilities = explanation.getProbabilities();
            assertEquals(10, probabilities.size());
            assertEquals(1.0, probabilities.stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
            for (int k = 0; k < 10; k++) {
                assertEquals(expected[k], probabilities.get(k), 1e-6, "class " + k + " of " + row);
            }

            List<ClassProbability> top = explanation.getTopClasses();
            assertEquals(5, top.size(), "five of ten classes by default");
            assertEquals(explanation.getPredictedClass(), top.get(0).getClassIndex());
            List<Integer> byProbability = IntStream.range(0, 10).boxed()
                    .sorted((a, b) -> Double.compare(probabilities.get(b), probabilities.get(a))).limit(5).toList();
            assertEquals(byProbability, top.stream().map(ClassProbability::getClassIndex).toList());
            for (ClassProbability entry : top) {
                assertEquals(String.valueOf(entry.getClassIndex()), entry.getName());
                assertEquals(probabilities.get(entry.getClassIndex()), entry.getProbability());
            }

            FeatureRelevance pixel = explanation.getTopFeatures().get(0);
            assertEquals(digits.doubles()[row * 64 + pixel.getIndex()], pixel.getValue(), 1e-7);
            assertNull(pixel.getRawValue(), "the digits model has no scaler");
            misclassified += explanation.getPredictedClass() != label ? 1 : 0;
        }
        assertTrue(misclassified < rows / 4, "the demo CNN classifies most held-out digits: " + misclassified);
    }

    @Test
    void breastCancerNamesItsTwoClassesAndShowsRawFeatureValues() {
        List<Integer> rows = List.of(0, 1, 2, 3, 4, 5, 6, 7);
        for (int row : rows) {
            fixture.send(event("b" + row, "breast_cancer", cancer, row, 0, null, (int) cancerLabels[row]));
        }
        fixture.send(event("unlabelled", "breast_cancer", cancer, 8, 1, null, null));
        List<Explanation> explained = fixture.explanations.readValuesToList();
        assertEquals(rows.size() + 1, explained.size());
        List<String> names = List.of("malignant", "benign");
        for (Explanation explanation : explained.subList(0, rows.size())) {
            int row = Integer.parseInt(explanation.getEventId().substring(1));
            assertEquals(names.get((int) cancerLabels[row]), explanation.getLabelName());
            assertEquals("malignant", explanation.getReportedClassName());
            assertNull(explanation.getReportedScores());
            List<ClassProbability> top = explanation.getTopClasses();
            assertEquals(2, top.size(), "the default of five is capped by the two classes");
            assertTrue(top.get(0).getProbability() >= top.get(1).getProbability());
            assertEquals(names.get(explanation.getPredictedClass()), top.get(0).getName());
            assertEquals(1.0, top.get(0).getProbability() + top.get(1).getProbability(), 1e-12);

            assertEquals(30, explanation.getTopFeatures().size());
            for (FeatureRelevance feature : explanation.getTopFeatures()) {
                int index = feature.getIndex();
                double z = cancer.doubles()[row * 30 + index];
                assertEquals(z, feature.getValue(), 1e-7);
                assertEquals(z * scaler.get("scale").get(index) + scaler.get("mean").get(index),
                        feature.getRawValue(), 1e-9, feature.getName());
            }
        }
        Explanation unlabelled = explained.get(rows.size());
        assertNull(unlabelled.getLabel());
        assertNull(unlabelled.getLabelName());
        assertEquals("benign", unlabelled.getReportedClassName());
    }

    @Test
    void theRawValuesAreTheDatasetsOwn() {
        fixture.send(event("b0", "breast_cancer", cancer, 0, 1, null, 1));
        Explanation explanation = fixture.explanations.readValue();
        List<Double> raw = new ArrayList<>();
        for (String name : List.of("mean_radius", "mean_texture", "mean_perimeter", "mean_area")) {
            raw.add(explanation.getTopFeatures().stream().filter(f -> f.getName().equals(name)).findFirst()
                    .orElseThrow().getRawValue());
        }
        // the first held-out row of train_demo_models.py's split is load_breast_cancer() row 'mean radius' 13.68,
        // 'mean texture' 16.33, 'mean perimeter' 87.76, 'mean area' 575.5 (scikit-learn 1.2.1)
        List<Double> dataset = List.of(13.68, 16.33, 87.76, 575.5);
        for (int i = 0; i < dataset.size(); i++) {
            assertEquals(dataset.get(i), raw.get(i), dataset.get(i) * 1e-5, "feature " + i);
        }
    }
}
