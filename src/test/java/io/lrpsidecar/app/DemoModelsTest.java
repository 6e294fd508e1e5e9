package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.stream.FeatureScaler;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.ServedModel;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The bundled demo models are served with class names, the breast-cancer scaler and data ranges, so that the
 * README's replay example (a bare {@code epsilon-gamma-box}) explains their held-out rows; the Kubernetes
 * configuration of the same models says the same.
 */
class DemoModelsTest {
    private static final CompositeParser PARSER = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());

    private static Map<String, ServedModel> serveDemoModels() throws IOException {
        Map<String, ServedModel> served = new java.util.LinkedHashMap<>();
        for (ModelLoader.ModelSource source : DemoModels.sources()) {
            ExplainableModel model = ExplainableModel.prepare(OnnxModelReader.read(source.bytes().read()), true,
                    source.inputName(), source.logitsName());
            served.put(source.name(), new ServedModel(source.name(), source.version(), "sha", model,
                    source.settings(), new RuntimeSettings(DeviceChoice.CPU, 1, 1), PARSER));
        }
        return served;
    }

    @Test
    void aBareEpsilonGammaBoxExplainsEveryHeldOutRowOfBothModels() throws IOException {
        Map<String, ServedModel> served = serveDemoModels();
        assertEquals(List.of("digits", "breast_cancer"), List.copyOf(served.keySet()));
        Map<String, String> specs = Map.of("digits", "high=1,low=0", "breast_cancer", "high=13.9,low=-3.2");
        for (ServedModel model : served.values()) {
            try (model) {
                Tensor rows = Npy.read(DemoModels.resource("demo/" + model.name() + "_holdout.npy")).tensor();
                double[] values = rows.doubles();
                ModelSettings.OverridePolicy range = model.settings().overrides();
                double low = range.dataRangeLow().orElseThrow();
                double high = range.dataRangeHigh().orElseThrow();
                assertTrue(Arrays.stream(values).allMatch(v -> v >= low && v <= high),
                        model.name() + ": every held-out value lies in the data range [" + low + ", " + high + "], "
                                + "found [" + Arrays.stream(values).min().orElseThrow() + ", "
                                + Arrays.stream(values).max().orElseThrow() + "]");

                Composite composite = model.composite("epsilon-gamma-box");
                assertTrue(composite.spec().contains(specs.get(model.name())), composite.spec());
                Explanation explanation = model.explain(composite, rows, new Target.Predicted()).explanation();
                assertEquals(rows.dim(0), explanation.rows());
                assertTrue(Arrays.stream(explanation.relevance().doubles()).allMatch(Double::isFinite),
                        model.name() + ": finite relevance");
                for (int row = 0; row < explanation.rows(); row++) {
                    assertTrue(Double.isFinite(explanation.conservationError(row)), model.name() + " row " + row);
                }
            }
        }
    }

    @Test
    void theDemoModelsNameTheirClassesAndTheBreastCancerModelScalesItsFeatures() throws IOException {
        Map<String, ServedModel> served = serveDemoModels();
        try (ServedModel digits = served.get("digits"); ServedModel cancer = served.get("breast_cancer")) {
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                    digits.settings().presentation().classNames());
            assertEquals(List.of("malignant", "benign"), cancer.settings().presentation().classNames());
            FeatureScaler scaler = cancer.settings().presentation().featureScaler().orElseThrow();
            assertEquals(FeatureScaler.Kind.STANDARD, scaler.kind());
            assertEquals(30, scaler.features());
            assertEquals("mean_radius", cancer.settings().featureNames().get(0));
            assertEquals(14.117, scaler.offset().get(0), 1e-3, "mean radius of the training split");
            assertEquals(3.609, scaler.scale().get(0), 1e-3, "its standard deviation");
        }
    }

    @Test
    void theKubernetesConfigurationDescribesTheDemoModelsAsDemoModeDoes() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("deploy", "k8s", "base",
                "application.properties"))) {
            properties.load(reader);
        }
        assertEquals(String.join(",", DemoModels.DIGIT_NAMES), properties.getProperty("lrp.models.digits.class-names"));
        assertEquals("0", properties.getProperty("lrp.models.digits.data-range-low"));
        assertEquals("1", properties.getProperty("lrp.models.digits.data-range-high"));
        String cancer = "lrp.models.breast_cancer.";
        assertEquals("malignant,benign", properties.getProperty(cancer + "class-names"));
        assertEquals(DemoModels.BREAST_CANCER_LOW, Double.parseDouble(properties.getProperty(cancer
                + "data-range-low")));
        assertEquals(DemoModels.BREAST_CANCER_HIGH, Double.parseDouble(properties.getProperty(cancer
                + "data-range-high")));
        FeatureScaler scaler = DemoModels.breastCancerScaler();
        assertEquals(scaler.offset(), doubles(properties.getProperty(cancer + "feature-mean")));
        assertEquals(scaler.scale(), doubles(properties.getProperty(cancer + "feature-std")));
        assertEquals(String.join(",", DemoModels.breastCancerFeatures()),
                properties.getProperty(cancer + "feature-names"));
    }

    private static List<Double> doubles(String list) {
        return Arrays.stream(list.split(",")).map(Double::valueOf).toList();
    }
}
