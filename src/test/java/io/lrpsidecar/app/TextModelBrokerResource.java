package io.lrpsidecar.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.ReferenceCase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link KafkaBrokerResource} serving, besides the two reference models, the text transformer as model {@code text}
 * (token ids, composite {@code attnlrp}, the test vocabulary file and padding id 0), and {@code breast_cancer} as
 * the demo serves it (class names, feature names, scaler).
 */
public class TextModelBrokerResource extends KafkaBrokerResource {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("lrp.models.text.file", ReferenceCase.folder("text_transformer").resolve("model.onnx").toString());
        config.put("lrp.models.text.composite", "attnlrp");
        config.put("lrp.models.text.vocabulary-file", vocabulary().toString());
        config.put("lrp.models.text.padding-token-id", "0");
        config.put("lrp.models.text.max-wait", "50ms");
        config.putAll(demoBreastCancer());
        return config;
    }

    /**
     * Model {@code breast_cancer} as the demo serves it: the bundled model, its composite, class names, feature
     * names and training scaler (for the regulator's report).
     */
    static Map<String, String> demoBreastCancer() {
        Path demo = Path.of("src", "main", "resources", "demo").toAbsolutePath();
        try {
            ObjectMapper json = new ObjectMapper();
            List<String> features = json.readValue(demo.resolve("breast_cancer_features.json").toFile(),
                    new TypeReference<>() {
                    });
            Map<String, List<Double>> scaler = demoScaler();
            return Map.of("lrp.models.breast_cancer.file", demo.resolve("breast_cancer.onnx").toString(),
                    "lrp.models.breast_cancer.composite", "epsilon",
                    "lrp.models.breast_cancer.class-names", "malignant,benign",
                    "lrp.models.breast_cancer.feature-names", String.join(",", features),
                    "lrp.models.breast_cancer.feature-mean", joined(scaler.get("mean")),
                    "lrp.models.breast_cancer.feature-std", joined(scaler.get("scale")));
        } catch (IOException e) {
            throw new UncheckedIOException("the demo breast-cancer files did not read", e);
        }
    }

    /** The demo breast-cancer model's training scaler: {@code mean} and {@code scale} (the std) per feature. */
    static Map<String, List<Double>> demoScaler() {
        try {
            return new ObjectMapper().readValue(Path.of("src", "main", "resources", "demo",
                    "breast_cancer_scaler.json").toFile(), new TypeReference<>() {
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("the demo breast-cancer scaler did not read", e);
        }
    }

    private static String joined(List<Double> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    private static Path vocabulary() {
        try {
            return Path.of(Objects.requireNonNull(TextModelBrokerResource.class.getResource(
                    "/vocabulary/text_transformer.txt")).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
