package io.lrpsidecar.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bundled demo models (trained by {@code src/main/python/train_demo_models.py}) and their held-out data, served
 * in demo mode when no model is configured.
 */
final class DemoModels {
    static final String DIGITS = "digits";
    static final String CREDIT = "credit";
    static final String VERSION = "1";

    private DemoModels() {
    }

    static List<ModelLoader.ModelSource> sources() {
        return List.of(
                new ModelLoader.ModelSource(DIGITS, VERSION, "classpath:demo/digits.onnx",
                        () -> resource("demo/digits.onnx"), new ModelSettings("epsilon-gamma-box(low=0,high=1)",
                                TargetPolicy.PREDICTED, List.of(), 16, Duration.ofMillis(50), 0.5, 0.6, 1e-3,
                                1 << 16, 10), Vocabulary::none, Optional.of("input"), Optional.of("logits")),
                new ModelLoader.ModelSource(CREDIT, VERSION, "classpath:demo/credit.onnx",
                        () -> resource("demo/credit.onnx"), new ModelSettings("epsilon", TargetPolicy.PREDICTED,
                                creditFeatures(), 16, Duration.ofMillis(50), 0.5, 0.6, 1e-3, 1 << 16, 10),
                        Vocabulary::none, Optional.of("input"), Optional.of("logits")));
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream stream = DemoModels.class.getClassLoader().getResourceAsStream(name)) {
            if (stream == null) {
                throw new IOException("bundled resource " + name + " is missing from the build");
            }
            return stream.readAllBytes();
        }
    }

    static List<String> creditFeatures() {
        try {
            return new ObjectMapper().readValue(resource("demo/credit_features.json"), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
