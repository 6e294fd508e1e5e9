package io.lrpsidecar.app.api;

import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FeatureRelevance;
import io.lrpsidecar.render.Heatmap;
import io.lrpsidecar.stream.RecentExplanations;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-decision report of a tabular model's explanation, for a reader outside the team (a regulator, an auditor):
 * the decision and its probability, the features that spoke for and against the explained class with their raw
 * values and relevance, the identity of the model and of the explanation method, the time and the event id, and
 * what relevance means. Served as JSON and as a print-ready page ({@link ReportPage}).
 *
 * @param eventId          the prediction event's id (untrusted: from the event)
 * @param decidedAt        when the prediction was made (the event's own time, ISO-8601, UTC), or {@code null} when the
 *                         event is no longer in its topic
 * @param explainedAt      when the sidecar stored the explanation (ISO-8601, UTC)
 * @param origin           {@code original} (the live prediction's explanation) or {@code replay}
 * @param decision         the model's decision and the class explained
 * @param supporting       top features whose relevance is positive (for the explained class), largest first
 * @param opposing         top features whose relevance is negative (against it), most negative first
 * @param model            which model decided
 * @param method           how the explanation was computed, and how well relevance was conserved
 * @param relevanceMeaning what relevance is and what it is not, in plain words
 */
record RegulatorReport(String eventId, String decidedAt, String explainedAt, String origin, Decision decision,
        List<Reason> supporting, List<Reason> opposing, Model model, Method method, String relevanceMeaning) {

    /** The plain statement every report carries. */
    static final String RELEVANCE_MEANING = "Relevance is an attribution of this model's output for the explained "
            + "class (its logit) to the input features, computed by Layer-wise Relevance Propagation under the "
            + "composite (set of rules) named in this report. A positive relevance means the feature's value raised "
            + "the model's score for the explained class, a negative one that it lowered it; together the "
            + "relevances add up to the explained logit, up to the conservation error reported. Relevance is not a "
            + "causal effect: it does not say what the decision would have been had a feature taken another value. "
            + "It is not a statement about the world, about the person or case described, or about the population; "
            + "it describes only how this model, in this version, computed this output.";

    /**
     * The decision (the model's most probable class) and the class explained; they differ only when the event or the
     * model's target policy asked for another class.
     *
     * @param predictedClass     the class the model decided (the sidecar's argmax)
     * @param predictedClassName its name, when the model has class names (else null)
     * @param probability        the softmax probability of the decision (null in records written before it was kept)
     * @param explainedClass     the class whose logit the relevance explains
     * @param explainedClassName its name, when known
     * @param explainedBecause   why that class: {@code predicted}, {@code reported}, {@code label} or {@code requested}
     * @param label              the ground-truth class the event carried, when it carried one
     * @param labelName          its name, when known (untrusted: from the event's label)
     */
    record Decision(int predictedClass, String predictedClassName, Double probability, int explainedClass,
            String explainedClassName, String explainedBecause, Integer label, String labelName) {
    }

    /**
     * One feature among the top features of the explanation.
     *
     * @param index     its position in the input
     * @param feature   its configured name (null when the model names no features)
     * @param rawValue  its value before the configured scaler (null without a scaler)
     * @param value     the value the model saw (standardized, when the model takes standardized features)
     * @param relevance its relevance for the explained class
     */
    record Reason(int index, String feature, Double rawValue, Double value, double relevance) {
    }

    /** The model that decided: name, version and the SHA-256 of its ONNX file. */
    record Model(String name, String version, String sha256) {
    }

    /**
     * How the explanation was computed.
     *
     * @param composite         the canonical composite spec (the LRP rules per layer)
     * @param compositeHash     its 16-hex hash
     * @param conservationError |Σ input relevance − explained logit| / |explained logit|
     * @param relevanceSum      Σ input relevance
     * @param explainedLogit    the logit of the explained class
     * @param explainerVersion  the version of lrp-sidecar that explained
     * @param runtimeVersions   the versions of the libraries that computed it (ONNX Runtime, DJL)
     * @param executionProvider where it ran (CPU, CUDA)
     */
    record Method(String composite, String compositeHash, double conservationError, double relevanceSum,
            double explainedLogit, String explainerVersion, Map<String, String> runtimeVersions,
            String executionProvider) {
    }

    /**
     * The report of a stored explanation.
     *
     * @throws ApiException 409 when the explanation is not of a tabular model (an image or token model)
     */
    static RegulatorReport of(RecentExplanations.Stored stored, Optional<Instant> decidedAt) {
        Explanation explanation = stored.explanation();
        requireTabular(explanation);
        int predicted = explanation.getPredictedClass();
        List<Double> probabilities = explanation.getProbabilities();
        Double probability = probabilities != null && predicted >= 0 && predicted < probabilities.size()
                ? probabilities.get(predicted) : null;
        Decision decision = new Decision(predicted, explanation.getPredictedClassName(), probability,
                explanation.getTargetClass(), explanation.getTargetClassName(),
                explanation.getTargetSource().name().toLowerCase(java.util.Locale.ROOT), explanation.getLabel(),
                explanation.getLabelName());
        List<Reason> reasons = explanation.getTopFeatures().stream().map(RegulatorReport::reason).toList();
        List<Reason> supporting = reasons.stream().filter(reason -> reason.relevance() > 0)
                .sorted(Comparator.comparingDouble(Reason::relevance).reversed()).toList();
        List<Reason> opposing = reasons.stream().filter(reason -> reason.relevance() < 0)
                .sorted(Comparator.comparingDouble(Reason::relevance)).toList();
        Map<String, String> runtime = new TreeMap<>(explanation.getRuntimeVersions());
        String explainer = runtime.remove("lrp-sidecar");
        Method method = new Method(explanation.getComposite(), explanation.getCompositeHash(),
                explanation.getConservationError(), explanation.getRelevanceSum(), explanation.getTargetLogit(),
                explainer, runtime, explanation.getExecutionProvider());
        return new RegulatorReport(explanation.getEventId(), decidedAt.map(Instant::toString).orElse(null),
                Instant.ofEpochMilli(stored.storedAt()).toString(),
                Origin.of(stored).word(), decision, supporting, opposing, new Model(explanation.getModelName(),
                explanation.getModelVersion(), explanation.getModelSha256()), method, RELEVANCE_MEANING);
    }

    private static Reason reason(FeatureRelevance feature) {
        return new Reason(feature.getIndex(), feature.getName(), feature.getRawValue(), feature.getValue(),
                feature.getRelevance());
    }

    private static void requireTabular(Explanation explanation) {
        List<Long> shape = explanation.getRelevance().getShape();
        List<Long> rowShape = shape.size() > 1 && shape.get(0) == 1 ? shape.subList(1, shape.size()) : shape;
        String kind = explanation.getTokens() != null ? "a token model" : Heatmap.isImage(rowShape)
                ? "an image model" : rowShape.size() != 1 ? "a model with input shape " + rowShape : null;
        if (kind != null) {
            throw new ApiException(Response.Status.CONFLICT, "not-tabular", "expected an explanation of a tabular "
                    + "model (one row of features) for the report, found " + kind + " (model "
                    + explanation.getModelName() + ":" + explanation.getModelVersion() + "); the report is for "
                    + "tabular models, see the event page for the heatmap");
        }
    }
}
