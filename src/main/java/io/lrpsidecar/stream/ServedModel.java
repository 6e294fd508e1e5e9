package io.lrpsidecar.stream;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model the sidecar explains: its canonical graph, settings, and one compiled explainer per composite spec in
 * use (compiled on first use, kept until {@link #close()}).
 */
public final class ServedModel implements AutoCloseable {
    private final String name;
    private final String version;
    private final String sha256;
    private final ExplainableModel model;
    private final ModelSettings settings;
    private final RuntimeSettings runtime;
    private final CompositeParser parser;
    private final Composite defaultComposite;
    private final int classes;
    private final Map<String, CompiledExplainer> explainers = new ConcurrentHashMap<>();

    public ServedModel(String name, String version, String sha256, ExplainableModel model, ModelSettings settings,
            RuntimeSettings runtime, CompositeParser parser) {
        this.name = name;
        this.version = version;
        this.sha256 = sha256;
        this.model = model;
        this.settings = settings;
        this.runtime = runtime;
        this.parser = parser;
        this.defaultComposite = parser.parse(settings.composite());
        defaultComposite.assign(model.graph());
        this.classes = ShapeInference.infer(model.graph(), 1).get(model.logits())[1];
    }

    /** The number of classes of the explained output. */
    public int classes() {
        return classes;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public String sha256() {
        return sha256;
    }

    public ExplainableModel model() {
        return model;
    }

    public ModelSettings settings() {
        return settings;
    }

    /** The input shape of one row, without the batch axis. */
    public List<Integer> rowShape() {
        return model.rowShape();
    }

    /** The composite an event asks for (its override, parsed and checked against this model), or the default. */
    public Composite composite(String override) {
        if (override == null || override.isBlank()) {
            return defaultComposite;
        }
        Composite composite = parser.parse(override);
        composite.assign(model.graph());
        return composite;
    }

    /** The compiled explainer of a composite, compiled on first use. */
    public CompiledExplainer explainer(Composite composite) {
        return explainers.computeIfAbsent(composite.spec(), spec -> new CompiledExplainer(
                ExplainerCompiler.compile(model, composite, InitMode.LOGIT), runtime));
    }

    @Override
    public void close() {
        explainers.values().forEach(CompiledExplainer::close);
        explainers.clear();
    }
}
