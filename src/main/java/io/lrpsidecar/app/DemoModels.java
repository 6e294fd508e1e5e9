package io.lrpsidecar.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.stream.FeatureScaler;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bundled demo models (trained by {@code src/main/python/train_demo_models.py}) and their held-out data, served
 * in demo mode when no model is configured: a digits CNN on pixel values in [0, 1], and an MLP on scikit-learn's
 * breast-cancer data (standardized features, class 0 malignant and 1 benign, as the dataset's target names).
 */
final class DemoModels {
    static final String DIGITS = "digits";
    static final String BREAST_CANCER = "breast_cancer";
    static final String VERSION = "1";
    static final List<String> DIGIT_NAMES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    static final List<String> BREAST_CANCER_CLASSES = List.of("malignant", "benign");
    /**
     * The range of the standardized breast-cancer dataset (training and held-out rows: -3.13 to 13.86, in the
     * training report), rounded outward: the bounds of a bare {@code epsilon-gamma-box}.
     */
    static final double BREAST_CANCER_LOW = -3.2;
    static final double BREAST_CANCER_HIGH = 13.9;

    private DemoModels() {
    }

    static List<ModelLoader.ModelSource> sources() {
        return List.of(
                new ModelLoader.ModelSource(DIGITS, VERSION, "classpath:demo/digits.onnx",
                        () -> resource("demo/digits.onnx"), settings("epsilon-gamma-box(low=0,high=1)", List.of(), 0,
                                1).withPresentation(new ModelSettings.Presentation(DIGIT_NAMES,
                                ModelSettings.Presentation.DEFAULT_TOP_CLASSES, Optional.empty())),
                        Vocabulary::none, Optional.of("input"), Optional.of("logits")),
                new ModelLoader.ModelSource(BREAST_CANCER, VERSION, "classpath:demo/breast_cancer.onnx",
                        () -> resource("demo/breast_cancer.onnx"), settings("epsilon", breastCancerFeatures(),
                                BREAST_CANCER_LOW, BREAST_CANCER_HIGH).withPresentation(
                                new ModelSettings.Presentation(BREAST_CANCER_CLASSES,
                                        ModelSettings.Presentation.DEFAULT_TOP_CLASSES,
                                        Optional.of(breastCancerScaler()))),
                        Vocabulary::none, Optional.of("input"), Optional.of("logits")));
    }

    private static ModelSettings settings(String composite, List<String> featureNames, double low, double high) {
        return new ModelSettings(composite, TargetPolicy.PREDICTED, featureNames, 16, Duration.ofMillis(50), 0.5,
                0.6, 1e-3, 1 << 16, 10, new ModelSettings.OverridePolicy(List.of(),
                        ModelSettings.OverridePolicy.defaults().maxCompiled(), Optional.of(low), Optional.of(high)));
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream stream = DemoModels.class.getClassLoader().getResourceAsStream(name)) {
            if (stream == null) {
                throw new IOException("bundled resource " + name + " is missing from the build");
            }
            return stream.readAllBytes();
        }
    }

    static List<String> breastCancerFeatures() {
        return json("demo/breast_cancer_features.json", new TypeReference<>() {
        });
    }

    /** The standard scaler the training fitted on the training split ({@code mean} and {@code scale}, the std). */
    static FeatureScaler breastCancerScaler() {
        Map<String, List<Double>> scaler = json("demo/breast_cancer_scaler.json", new TypeReference<>() {
        });
        return FeatureScaler.standard(scaler.get("mean"), scaler.get("scale"));
    }

    private static <T> T json(String resource, TypeReference<T> type) {
        try {
            return new ObjectMapper().readValue(resource(resource), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
