package io.lrpsidecar.app;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.stream.FaithfulnessSampling;
import io.lrpsidecar.stream.FeatureScaler;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.RelevanceEncoding;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.Vocabulary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * Loads and compiles every configured model at startup. A model that fails to load is left out and its error kept:
 * readiness reports it (DOWN) instead of the service crashing.
 */
@ApplicationScoped
public class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

    private final ModelRegistry registry = new ModelRegistry();
    private final Map<String, String> failures = new LinkedHashMap<>();

    public ModelLoader(SidecarConfig config, MeterRegistry meters) {
        RuntimeSettings runtime = new RuntimeSettings(DeviceChoice.parse(config.runtime().device()),
                config.runtime().threads(), 1);
        CompositeParser parser = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());
        List<ModelSource> sources = new ArrayList<>();
        config.models().forEach((name, model) -> {
            try {
                sources.add(new ModelSource(name, model.version(), model.file(),
                        () -> Files.readAllBytes(Path.of(model.file())), settings(model), () -> vocabulary(model),
                        model.inputName(), model.logitsName()));
            } catch (IllegalArgumentException e) {
                String reason = "model " + name + ": " + e.getMessage();
                failures.put(name, reason);
                LOG.errorf("model %s version %s from %s cannot be served: %s", name, model.version(), model.file(),
                        reason);
            }
        });
        if (sources.isEmpty() && DemoMode.active()) {
            sources.addAll(DemoModels.sources());
        }
        for (ModelSource source : sources) {
            load(source, runtime, parser);
        }
        registry.all().forEach(model -> Gauge.builder("lrp.model.info", () -> 1)
                .description("Served models: version, sha256 of the ONNX file, composite, execution provider")
                .tags("model", model.name(), "version", model.version(), "sha256", model.sha256(),
                        "composite", model.composite(null).spec(),
                        "provider", model.executionProvider())
                .register(meters));
        registry.all().forEach(model -> {
            FunctionCounter.builder("lrp.explainer.cache.evictions", model, ServedModel::explainerEvictions)
                    .description("Compiled explainers of composite overrides evicted (least recently used)")
                    .tags("model", model.name(), "version", model.version()).register(meters);
            Gauge.builder("lrp.explainer.cache.size", model, ServedModel::compiledExplainers)
                    .description("Compiled explainers kept, the default composite's included")
                    .tags("model", model.name(), "version", model.version()).register(meters);
        });
        failures.keySet().forEach(name -> Gauge.builder("lrp.model.load.failed", () -> 1)
                .description("Configured models that failed to load").tags("model", name).register(meters));
    }

    private void load(ModelSource source, RuntimeSettings runtime, CompositeParser parser) {
        try {
            byte[] bytes = source.bytes().read();
            ExplainableModel model = ExplainableModel.prepare(OnnxModelReader.read(bytes), true,
                    source.inputName(), source.logitsName());
            ServedModel served = new ServedModel(source.name(), source.version(), sha256(bytes), model,
                    source.settings().withVocabulary(source.vocabulary().read()), runtime, parser);
            String provider = served.executionProvider();
            registry.add(served);
            LOG.infof("model %s version %s loaded from %s (composite %s, on %s)", source.name(), source.version(),
                    source.location(), served.composite(null).spec(), provider);
        } catch (IOException | RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            failures.put(source.name(), reason);
            LOG.errorf("model %s version %s from %s cannot be served: %s", source.name(), source.version(),
                    source.location(), reason);
        }
    }

    /** Reads a model's bytes. */
    @FunctionalInterface
    interface ModelBytes {
        byte[] read() throws IOException;
    }

    /** Reads a model's vocabulary (none for models without one). */
    @FunctionalInterface
    interface VocabularySource {
        Vocabulary read() throws IOException;
    }

    /**
     * A model to serve.
     *
     * @param name     the model name events carry
     * @param version  the version events carry
     * @param location where it comes from, for messages
     * @param bytes    reads the ONNX bytes
     * @param settings how it is explained and judged
     * @param vocabulary reads how its token ids are shown
     * @param inputName the name its input must have, if configured
     * @param logitsName the value to explain, if not the default
     */
    record ModelSource(String name, String version, String location, ModelBytes bytes, ModelSettings settings,
            VocabularySource vocabulary, Optional<String> inputName, Optional<String> logitsName) {
    }

    private static ModelSettings settings(SidecarConfig.Model model) {
        return new ModelSettings(model.composite(), TargetPolicy.parse(model.targetPolicy()),
                model.featureNames().orElse(List.of()), model.maxBatchSize(), model.maxWait(),
                model.conservationThreshold(), model.lowConfidence(), model.logitTolerance(), model.maxInputBytes(),
                model.topK(), new ModelSettings.OverridePolicy(model.allowedComposites().orElse(List.of()),
                        model.maxCompiledOverrides(), model.dataRangeLow(), model.dataRangeHigh()))
                .withPresentation(new ModelSettings.Presentation(model.classNames().orElse(List.of()),
                        model.topClasses(), featureScaler(model)))
                .withContrast(model.contrast().map(ModelSettings::parseContrast))
                .withFaithfulness(faithfulness(model.faithfulness()))
                .withRelevanceEncoding(RelevanceEncoding.parse(model.relevanceEncoding()));
    }

    /** The faithfulness sampling of the configuration; a baseline file is read now, never from events. */
    static FaithfulnessSampling faithfulness(SidecarConfig.Faithfulness config) {
        try {
            return FaithfulnessSampling.parse(config.sample(), config.steps(), config.region(), config.baseline(),
                    file -> {
                        try {
                            return Npy.read(Path.of(file)).tensor();
                        } catch (RuntimeException e) {
                            throw new IllegalArgumentException("cannot read the baseline file '" + file + "': "
                                    + e.getMessage(), e);
                        }
                    });
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().contains("faithfulness") ? e.getMessage()
                    : "faithfulness: " + e.getMessage(), e);
        }
    }

    /** The scaler of the configuration: mean and std, or min and max, or none. */
    private static Optional<FeatureScaler> featureScaler(SidecarConfig.Model model) {
        boolean standard = model.featureMean().isPresent() || model.featureStd().isPresent();
        boolean minMax = model.featureMin().isPresent() || model.featureMax().isPresent();
        if (standard && minMax) {
            throw new IllegalArgumentException("expected one feature scaler, feature-mean and feature-std or "
                    + "feature-min and feature-max, found both kinds");
        }
        if (standard) {
            return Optional.of(FeatureScaler.standard(both(model.featureMean(), "feature-mean", "feature-std"),
                    both(model.featureStd(), "feature-std", "feature-mean")));
        }
        if (minMax) {
            return Optional.of(FeatureScaler.minMax(both(model.featureMin(), "feature-min", "feature-max"),
                    both(model.featureMax(), "feature-max", "feature-min")));
        }
        return Optional.empty();
    }

    private static List<Double> both(Optional<List<Double>> values, String name, String partner) {
        return values.orElseThrow(() -> new IllegalArgumentException("expected " + name + " next to " + partner
                + ", found only " + partner));
    }

    private static Vocabulary vocabulary(SidecarConfig.Model model) throws IOException {
        List<String> tokens = model.vocabularyFile().isPresent()
                ? Vocabulary.read(Path.of(model.vocabularyFile().get())) : List.of();
        return new Vocabulary(tokens, model.paddingTokenId().map(OptionalLong::of).orElse(OptionalLong.empty()));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** Models that failed to load, with the reason. */
    public Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    @PreDestroy
    void close() {
        registry.close();
    }
}
