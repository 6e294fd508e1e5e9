package io.lrpsidecar.stream;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.ForwardModel;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.ForwardSession;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * A model the sidecar explains: its canonical graph, settings, and its compiled explainers (the default composite's,
 * and a bounded, least-recently-used set of overrides' — see {@link ExplainerCache}).
 * <p>
 * The default composite comes from server-side configuration and may read {@code @file} bounds. Overrides come from
 * events and requests, which are untrusted: they are parsed without any file access, limited in length, checked
 * against the model's allow-list, and a bare {@code epsilon-gamma-box} takes the configured data range.
 */
public final class ServedModel implements AutoCloseable {
    private final String name;
    private final String version;
    private final String sha256;
    private final ExplainableModel model;
    private final ModelSettings settings;
    private final CompositeParser untrusted = new CompositeParser(file -> {
        throw new CompositeSpecException("composite overrides cannot read files ('@" + abbreviate(file)
                + "'); array-valued bounds come only from the model's configuration");
    });
    private final Composite defaultComposite;
    private final int classes;
    /** The rows of the embedding table of a token model, 0 for other models. */
    private final int vocabularySize;
    private final ExplainerCache explainers;
    /** Makes the model's forward pass alone, for the sampled faithfulness curves. */
    private final java.util.function.Function<ExplainableModel, ForwardModel> forwardFactory;
    /** The forward pass, made on first use (as the explainers are compiled on first use). */
    private ForwardModel forward;
    private boolean closed;
    /** The allow-list: built-in names allowed with any parameters, and canonical specs allowed exactly. */
    private final java.util.Set<String> allowedNames = new java.util.HashSet<>();
    private final java.util.Set<String> allowedSpecs = new java.util.HashSet<>();

    /** One batch run: the explanation and the execution provider that computed it. */
    public record Run(Explanation explanation, String executionProvider) {
    }

    /**
     * @param parser parses the configured default composite (trusted: it may read {@code @file} bounds)
     */
    public ServedModel(String name, String version, String sha256, ExplainableModel model, ModelSettings settings,
            RuntimeSettings runtime, CompositeParser parser) {
        this(name, version, sha256, model, settings, runtime, parser, forwardOnly -> new ForwardSession(forwardOnly,
                runtime));
    }

    /**
     * @param parser  parses the configured default composite (trusted: it may read {@code @file} bounds)
     * @param forward makes the forward pass of the sampled faithfulness curves (closed with this model when it is
     *                {@link AutoCloseable}); called on the first sampled batch, never when the model samples nothing
     */
    ServedModel(String name, String version, String sha256, ExplainableModel model, ModelSettings settings,
            RuntimeSettings runtime, CompositeParser parser,
            java.util.function.Function<ExplainableModel, ForwardModel> forward) {
        this.name = name;
        this.version = version;
        this.sha256 = sha256;
        this.model = model;
        this.settings = settings;
        this.defaultComposite = parser.parse(settings.overrides().withDataRange(settings.composite()));
        defaultComposite.assign(model.views(defaultComposite));
        this.classes = model.shapes(1).get(model.logits())[1];
        this.vocabularySize = model.tokenInput() ? model.vocabularySize() : 0;
        Vocabulary vocabulary = settings.vocabulary();
        if (!model.tokenInput() && (!vocabulary.tokens().isEmpty() || vocabulary.paddingId().isPresent())) {
            throw new IllegalArgumentException("model " + name + ": a vocabulary or padding token id is configured,"
                    + " but its input '" + model.inputName() + "' holds " + model.input().type() + " values, not "
                    + "int64 token ids");
        }
        if (model.tokenInput()) {
            try {
                vocabulary.check(vocabularySize);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + name + ": " + e.getMessage(), e);
            }
        }
        checkPresentation(settings.presentation());
        settings.contrast().ifPresent(contrast -> {
            try {
                contrast.requested(1, classes);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + name + ": " + e.getMessage(), e);
            }
        });
        for (String entry : settings.overrides().allowed()) {
            if (CompositeParser.BUILT_INS.contains(entry.trim())) {
                allowedNames.add(entry.trim());
            } else {
                allowedSpecs.add(untrusted.parse(settings.overrides().withDataRange(entry)).spec());
            }
        }
        checkFaithfulness(settings.faithfulness());
        this.explainers = new ExplainerCache(defaultComposite.spec(), settings.overrides().maxCompiled(),
                composite -> new CompiledExplainer(ExplainerCompiler.compile(model, composite, InitMode.LOGIT),
                        model, runtime));
        this.forwardFactory = forward;
    }

    /**
     * The faithfulness settings must fit the model: regions it can be cut into, a baseline of its input's kind (a
     * token id for token models, values for others) and, for a file, one value per element of a row.
     */
    private void checkFaithfulness(FaithfulnessSampling sampling) {
        int[] rowShape = model.rowShape().stream().mapToInt(Integer::intValue).toArray();
        int rowSize = java.util.Arrays.stream(rowShape).reduce(1, Math::multiplyExact);
        try {
            sampling.region().regions(rowShape);
            Baseline baseline = sampling.baseline();
            boolean ids = baseline instanceof Baseline.Pad || baseline instanceof Baseline.Zero;
            if (model.tokenInput() && !ids) {
                throw new IllegalArgumentException("a token model's perturbed tokens are replaced by a token id "
                        + "(pad:ID, or zero for id 0), found " + baseline.describe());
            }
            if (!model.tokenInput() && baseline instanceof Baseline.Pad) {
                throw new IllegalArgumentException("pad:ID replaces token ids, but input '" + model.inputName()
                        + "' holds " + model.input().type() + " values; expected zero, blur[:SIGMA] or @file.npy");
            }
            if (baseline instanceof Baseline.Pad pad && (pad.id() < 0 || pad.id() >= vocabularySize)) {
                throw new IllegalArgumentException("expected a padding id from 0 to " + (vocabularySize - 1)
                        + " (the embedding table's rows), found " + pad.id());
            }
            baseline.forRow(new double[rowSize], rowShape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model " + name + ": faithfulness: " + e.getMessage(), e);
        }
    }

    /** The class names and the feature scaler must fit the model: one name per class, one statistic per feature. */
    private void checkPresentation(ModelSettings.Presentation presentation) {
        List<String> classNames = presentation.classNames();
        if (!classNames.isEmpty() && classNames.size() != classes) {
            throw new IllegalArgumentException("model " + name + ": expected " + classes + " class names (one per "
                    + "class of '" + model.logits() + "'), found " + classNames.size() + ": " + classNames);
        }
        if (presentation.featureScaler().isPresent()) {
            int features = model.rowShape().stream().reduce(1, Math::multiplyExact);
            int scaled = presentation.featureScaler().get().features();
            if (model.tokenInput()) {
                throw new IllegalArgumentException("model " + name + ": a feature scaler is configured, but its "
                        + "input '" + model.inputName() + "' holds int64 token ids, not scaled features");
            }
            if (scaled != features) {
                throw new IllegalArgumentException("model " + name + ": expected a feature scaler of " + features
                        + " values per statistic (one per feature of input '" + model.inputName() + "', shape "
                        + model.rowShape() + "), found " + scaled);
            }
        }
    }

    /** The number of classes of the explained output. */
    public int classes() {
        return classes;
    }

    /** The number of token ids a token model accepts (ids {@code 0..n-1}); 0 for a model of floating-point input. */
    public int vocabularySize() {
        return vocabularySize;
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

    /**
     * The composite an event or request asks for, parsed as untrusted input and checked against this model, or the
     * default when it asks for none.
     *
     * @throws IllegalArgumentException naming what is wrong with the override
     */
    public Composite composite(String override) {
        if (override == null || override.isBlank() || override.trim().equals(defaultComposite.spec())) {
            return defaultComposite;
        }
        ModelSettings.OverridePolicy policy = settings.overrides();
        String spec = checkedLength(override);
        Composite composite = untrusted.parse(spec);
        if (!policy.allowed().isEmpty() && !allowed(spec, composite)) {
            throw new CompositeSpecException("composite '" + abbreviate(composite.spec()) + "' is not allowed for"
                    + " model " + name + "; allowed: " + policy.allowed());
        }
        composite.assign(model.views(composite));
        return composite;
    }

    /**
     * The canonical spec an override reads as for this model (the default's when it names none), parsed as
     * {@link #composite} parses it but without the allow-list: to find the explanations made with it.
     *
     * @throws IllegalArgumentException naming what is wrong with the override
     */
    public String canonicalSpec(String override) {
        if (override == null || override.isBlank() || override.trim().equals(defaultComposite.spec())) {
            return defaultComposite.spec();
        }
        Composite composite = untrusted.parse(checkedLength(override));
        composite.assign(model.views(composite));
        return composite.spec();
    }

    /** The canonical specs of the default composite and of the overrides compiled now. */
    public List<String> knownSpecs() {
        List<String> known = new ArrayList<>(List.of(defaultComposite.spec()));
        explainers.specs().stream().filter(spec -> !known.contains(spec)).forEach(known::add);
        return known;
    }

    private String checkedLength(String override) {
        if (override.length() > ModelSettings.OverridePolicy.MAX_SPEC_LENGTH) {
            throw new CompositeSpecException("expected a composite override of at most "
                    + ModelSettings.OverridePolicy.MAX_SPEC_LENGTH + " characters, found " + override.length());
        }
        return settings.overrides().withDataRange(override);
    }

    private boolean allowed(String spec, Composite composite) {
        String name = spec.contains("(") ? spec.substring(0, spec.indexOf('(')).trim() : spec.trim();
        return allowedNames.contains(name) || allowedSpecs.contains(composite.spec());
    }

    /** Explains a batch with the compiled explainer of a composite (compiled on first use). */
    public Run explain(Composite composite, Tensor input, Target target) {
        return explainers.use(composite, explainer -> new Run(explainer.explain(input, target,
                InitMode.LOGIT), explainer.executionProvider().name()));
    }

    /** The execution provider the default composite's explainer runs on. */
    public String executionProvider() {
        return explainers.use(defaultComposite, explainer -> explainer.executionProvider().name());
    }

    /** Compiled explainers kept now, the default's included. */
    public int compiledExplainers() {
        return explainers.size();
    }

    /** Compiled explainers of overrides evicted so far. */
    public long explainerEvictions() {
        return explainers.evictions();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    /**
     * The forward pass that draws the sampled faithfulness curves, made on first use; empty when this model samples
     * no events.
     *
     * @throws RuntimeException when the forward pass cannot be made (on a device that is not usable, say)
     */
    public synchronized java.util.Optional<ForwardModel> forward() {
        if (settings.faithfulness().sample() <= 0) {
            return java.util.Optional.empty();
        }
        if (closed) {
            throw new IllegalStateException("model " + name + " is closed");
        }
        if (forward == null) {
            forward = forwardFactory.apply(model);
        }
        return java.util.Optional.of(forward);
    }

    @Override
    public void close() {
        explainers.close();
        ForwardModel made;
        synchronized (this) {
            closed = true;
            made = forward;
            forward = null;
        }
        if (made instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the forward pass of model " + name + " failed: "
                        + e.getMessage(), e);
            }
        }
    }
}
