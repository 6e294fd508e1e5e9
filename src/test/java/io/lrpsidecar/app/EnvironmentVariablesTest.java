package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The environment variable names {@code docs/own-model.md} gives: {@code lrp.*} keys, per-model ones included, are
 * read from their upper-case, underscore form; a {@code KAFKA_STREAMS_*} variable alone does not become a
 * {@code kafka-streams.*} key (the guide says to name the key in a properties file instead).
 */
class EnvironmentVariablesTest {

    private static SmallRyeConfig configFromEnvironment(Map<String, String> environment) {
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(SidecarConfig.class)
                .withSources(new EnvConfigSource(environment, 300))
                .build();
    }

    @Test
    void perModelAndServiceSettingsComeFromTheirEnvironmentVariables() {
        SidecarConfig config = configFromEnvironment(Map.of(
                "LRP_MODELS_FRAUD_FILE", "/models/fraud.onnx",
                "LRP_MODELS_FRAUD_VERSION", "3",
                "LRP_MODELS_FRAUD_COMPOSITE", "epsilon-gamma-box",
                "LRP_MODELS_FRAUD_DATA_RANGE_LOW", "-3",
                "LRP_MODELS_FRAUD_DATA_RANGE_HIGH", "3",
                "LRP_MODELS_FRAUD_FEATURE_NAMES", "amount,age,income",
                "LRP_MODELS_FRAUD_MAX_WAIT", "80ms",
                "LRP_MODELS_FRAUD_CONSERVATION_THRESHOLD", "0.25",
                "LRP_RUNTIME_DEVICE", "auto",
                "LRP_LIMITS_MAX_RECORD_BYTES", "500000")).getConfigMapping(SidecarConfig.class);

        SidecarConfig.Model fraud = config.models().get("fraud");
        assertEquals("/models/fraud.onnx", fraud.file());
        assertEquals("3", fraud.version());
        assertEquals("epsilon-gamma-box", fraud.composite());
        assertEquals(Optional.of(-3.0), fraud.dataRangeLow());
        assertEquals(Optional.of(3.0), fraud.dataRangeHigh());
        assertEquals(Optional.of(List.of("amount", "age", "income")), fraud.featureNames());
        assertEquals(Duration.ofMillis(80), fraud.maxWait());
        assertEquals(0.25, fraud.conservationThreshold());
        assertEquals("auto", config.runtime().device());
        assertEquals(500_000, config.limits().maxRecordBytes());
    }

    @Test
    void aKafkaStreamsVariableAloneIsNoKafkaStreamsKey() {
        SmallRyeConfig config = configFromEnvironment(Map.of("LRP_MODELS_DIGITS_FILE", "/models/digits.onnx",
                "KAFKA_STREAMS_SASL_MECHANISM", "PLAIN"));

        List<String> names = StreamSupport.stream(config.getPropertyNames().spliterator(), false).toList();
        assertTrue(names.stream().noneMatch(name -> name.startsWith("kafka-streams.")),
                "expected no kafka-streams.* name from the environment alone, found " + names);
    }
}
