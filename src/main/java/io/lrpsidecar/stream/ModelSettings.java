package io.lrpsidecar.stream;

import io.lrpsidecar.engine.Contrast;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one served model is explained and judged.
 *
 * @param composite             the default composite spec (server-side configuration: may read {@code @file} bounds)
 * @param targetPolicy          which class to explain by default
 * @param featureNames          names of the input features (flat C order), or empty
 * @param maxBatchSize          a batch is explained as soon as it has this many events
 * @param maxWait               ... or when its oldest event has waited this long
 * @param conservationThreshold relative conservation error above which CONSERVATION is flagged
 * @param lowConfidence         top softmax probability below which LOW_CONFIDENCE is flagged
 * @param logitTolerance        largest difference between reported and recomputed logits before
 *                              PREDICTION_MISMATCH is flagged
 * @param maxInputBytes         the largest input tensor accepted
 * @param topK                  how many top features an explanation lists
 * @param overrides             what composite overrides from events and requests may ask for
 * @param vocabulary            how the ids of a token model are shown (token strings, padding token)
 * @param presentation          how explanations name the classes and show the raw feature values
 * @param contrast              the class explanations are contrasted with when the event names none (a fixed class
 *                              or the runner-up: why the target rather than it), or empty for plain explanations
 * @param faithfulness          which events also get perturbation curves, and how they are drawn
 * @param relevanceEncoding     how the explanation's relevance tensor is written (float32, or float16: half the bytes)
 */
public record ModelSettings(String composite, TargetPolicy targetPolicy, List<String> featureNames, int maxBatchSize,
        Duration maxWait, double conservationThreshold, double lowConfidence, double logitTolerance,
        int maxInputBytes, int topK, OverridePolicy overrides, Vocabulary vocabulary, Presentation presentation,
        Optional<Contrast> contrast, FaithfulnessSampling faithfulness, RelevanceEncoding relevanceEncoding) {

    public ModelSettings {
        featureNames = List.copyOf(featureNames);
        if (maxBatchSize < 1 || maxWait.isNegative() || maxWait.isZero() || maxInputBytes < 1 || topK < 0) {
            throw new IllegalArgumentException("model settings need max-batch-size >= 1, max-wait > 0, "
                    + "max-input-bytes >= 1 and top-k >= 0; found " + maxBatchSize + ", " + maxWait + ", "
                    + maxInputBytes + ", " + topK);
        }
    }

    /** Settings without a contrast, with the default faithfulness sampling. */
    public ModelSettings(String composite, TargetPolicy targetPolicy, List<String> featureNames, int maxBatchSize,
            Duration maxWait, double conservationThreshold, double lowConfidence, double logitTolerance,
            int maxInputBytes, int topK, OverridePolicy overrides, Vocabulary vocabulary, Presentation presentation) {
        this(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold, lowConfidence,
                logitTolerance, maxInputBytes, topK, overrides, vocabulary, presentation, Optional.empty(),
                FaithfulnessSampling.defaults(), RelevanceEncoding.FLOAT32);
    }

    /** Settings with the default presentation. */
    public ModelSettings(String composite, TargetPolicy targetPolicy, List<String> featureNames, int maxBatchSize,
            Duration maxWait, double conservationThreshold, double lowConfidence, double logitTolerance,
            int maxInputBytes, int topK, OverridePolicy overrides, Vocabulary vocabulary) {
        this(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold, lowConfidence,
                logitTolerance, maxInputBytes, topK, overrides, vocabulary, Presentation.defaults());
    }

    /** Settings without a vocabulary, with the default presentation. */
    public ModelSettings(String composite, TargetPolicy targetPolicy, List<String> featureNames, int maxBatchSize,
            Duration maxWait, double conservationThreshold, double lowConfidence, double logitTolerance,
            int maxInputBytes, int topK, OverridePolicy overrides) {
        this(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold, lowConfidence,
                logitTolerance, maxInputBytes, topK, overrides, Vocabulary.none());
    }

    /** The same settings showing token ids with {@code vocabulary}. */
    public ModelSettings withVocabulary(Vocabulary vocabulary) {
        return new ModelSettings(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold,
                lowConfidence, logitTolerance, maxInputBytes, topK, overrides, vocabulary, presentation, contrast,
                faithfulness, relevanceEncoding);
    }

    /** The same settings naming classes and scaling features as {@code presentation} says. */
    public ModelSettings withPresentation(Presentation presentation) {
        return new ModelSettings(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold,
                lowConfidence, logitTolerance, maxInputBytes, topK, overrides, vocabulary, presentation, contrast,
                faithfulness, relevanceEncoding);
    }

    /** The same settings contrasting every explanation with {@code contrast} unless the event names a class. */
    public ModelSettings withContrast(Optional<Contrast> contrast) {
        return new ModelSettings(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold,
                lowConfidence, logitTolerance, maxInputBytes, topK, overrides, vocabulary, presentation, contrast,
                faithfulness, relevanceEncoding);
    }

    /** Parses a model's {@code contrast} setting: a class index {@code K >= 0} or {@code second} (the runner-up). */
    public static Contrast parseContrast(String text) {
        String trimmed = text.trim();
        if (trimmed.equals("second")) {
            return new Contrast.RunnerUp();
        }
        if (!trimmed.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("contrast '" + text + "': expected a class index K >= 0 or second");
        }
        return new Contrast.Fixed(Integer.parseInt(trimmed));
    }

    /** The same settings sampling events for faithfulness as {@code faithfulness} says. */
    public ModelSettings withFaithfulness(FaithfulnessSampling faithfulness) {
        return new ModelSettings(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold,
                lowConfidence, logitTolerance, maxInputBytes, topK, overrides, vocabulary, presentation, contrast,
                faithfulness, relevanceEncoding);
    }

    /** The same settings writing the relevance tensor as {@code relevanceEncoding} says. */
    public ModelSettings withRelevanceEncoding(RelevanceEncoding relevanceEncoding) {
        return new ModelSettings(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold,
                lowConfidence, logitTolerance, maxInputBytes, topK, overrides, vocabulary, presentation, contrast,
                faithfulness, relevanceEncoding);
    }

    /** Settings with the default override policy: any composite, eight compiled overrides kept. */
    public ModelSettings(String composite, TargetPolicy targetPolicy, List<String> featureNames, int maxBatchSize,
            Duration maxWait, double conservationThreshold, double lowConfidence, double logitTolerance,
            int maxInputBytes, int topK) {
        this(composite, targetPolicy, featureNames, maxBatchSize, maxWait, conservationThreshold, lowConfidence,
                logitTolerance, maxInputBytes, topK, OverridePolicy.defaults());
    }

    /**
     * How explanations describe a model's output and input to people. Whether the class names and the scaler fit the
     * model (one name per class, one statistic per input feature) is checked when the model is served.
     *
     * @param classNames    the name of every class in logit order, or empty
     * @param topClasses    how many of the most probable classes an explanation lists (at most the class count)
     * @param featureScaler how raw feature values were scaled into the model's input, if they were
     */
    public record Presentation(List<String> classNames, int topClasses, Optional<FeatureScaler> featureScaler) {
        /** The number of top classes listed when the configuration does not say. */
        public static final int DEFAULT_TOP_CLASSES = 5;

        public Presentation {
            classNames = List.copyOf(classNames);
            if (topClasses < 0) {
                throw new IllegalArgumentException("expected top-classes >= 0, found " + topClasses);
            }
        }

        /** No class names, the default number of top classes, no scaler. */
        public static Presentation defaults() {
            return new Presentation(List.of(), DEFAULT_TOP_CLASSES, Optional.empty());
        }
    }

    /**
     * What untrusted composite overrides (an event's {@code composite}, a request's {@code ?composite=}) may do. They
     * never read files: array-valued bounds are not accepted, and {@code epsilon-gamma-box} without bounds takes the
     * configured data range.
     *
     * @param allowed           composites an override may name (a built-in name allows any of its parameters; any
     *                          other entry must equal the override's canonical spec); empty: any composite
     * @param maxCompiled       compiled explainers of overrides kept per model (least recently used evicted), at
     *                          least 1
     * @param dataRangeLow      the lowest input value, ZBox bound of a bare {@code epsilon-gamma-box}
     * @param dataRangeHigh     the highest input value
     */
    public record OverridePolicy(List<String> allowed, int maxCompiled, Optional<Double> dataRangeLow,
            Optional<Double> dataRangeHigh) {
        /** The longest composite override accepted, in characters. */
        public static final int MAX_SPEC_LENGTH = 1024;

        public OverridePolicy {
            allowed = List.copyOf(allowed);
            if (maxCompiled < 1) {
                throw new IllegalArgumentException("expected at least one compiled override per model, found "
                        + maxCompiled);
            }
        }

        public static OverridePolicy defaults() {
            return new OverridePolicy(List.of(), 8, Optional.empty(), Optional.empty());
        }

        /** {@code epsilon-gamma-box} without parameters becomes one with the configured data range, if any. */
        public String withDataRange(String spec) {
            String trimmed = spec.trim();
            if (trimmed.equals("epsilon-gamma-box") && dataRangeLow.isPresent() && dataRangeHigh.isPresent()) {
                return trimmed + "(low=" + dataRangeLow.get() + ",high=" + dataRangeHigh.get() + ")";
            }
            return trimmed;
        }
    }
}
