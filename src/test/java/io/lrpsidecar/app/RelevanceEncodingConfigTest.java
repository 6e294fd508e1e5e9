package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.stream.RelevanceEncoding;
import io.lrpsidecar.stream.ServedModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code lrp.models.X.relevance-encoding} is float32 unless set, float16 when asked for, and anything else keeps the
 * model from being served with a message naming the setting, what it found and what it expects.
 */
class RelevanceEncodingConfigTest {
    private static final String DIGITS = "src/main/resources/demo/digits.onnx";
    private static final String BREAST_CANCER = "src/main/resources/demo/breast_cancer.onnx";

    private static SidecarConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(SidecarConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 300))
                .build().getConfigMapping(SidecarConfig.class);
    }

    @Test
    void theDefaultIsFloat32AndFloat16IsServed() {
        ModelLoader loader = new ModelLoader(config(Map.of(
                "lrp.models.digits.file", DIGITS,
                "lrp.models.half.file", DIGITS,
                "lrp.models.half.relevance-encoding", "Float16 ")), new SimpleMeterRegistry());
        try {
            assertEquals(Map.of(), loader.failures());
            assertEquals(RelevanceEncoding.FLOAT32, served(loader, "digits").settings().relevanceEncoding());
            assertEquals(RelevanceEncoding.FLOAT16, served(loader, "half").settings().relevanceEncoding());
        } finally {
            loader.close();
        }
    }

    @Test
    void anUnknownEncodingKeepsTheModelOutWithAClearMessage() {
        ModelLoader loader = new ModelLoader(config(Map.of(
                "lrp.models.digits.file", DIGITS,
                "lrp.models.tabular.file", BREAST_CANCER,
                "lrp.models.tabular.relevance-encoding", "bfloat16")), new SimpleMeterRegistry());
        try {
            assertEquals(Map.of("tabular", "model tabular: relevance-encoding 'bfloat16': expected float32 or "
                    + "float16"), loader.failures());
            assertEquals(1, loader.registry().all().size(), "the other model is served");
        } finally {
            loader.close();
        }
    }

    private static ServedModel served(ModelLoader loader, String name) {
        return loader.registry().find(name, "1").orElseThrow(() -> new AssertionError("model " + name
                + " not served: " + loader.failures()));
    }
}
