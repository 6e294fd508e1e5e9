package io.lrpsidecar.stream;

import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.LedgerEntry;
import io.lrpsidecar.events.v1.ExplanationMetrics;
import io.lrpsidecar.events.v1.FeatureRelevance;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.LedgerLayer;
import io.lrpsidecar.events.v1.PendingPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.TargetSource;
import io.lrpsidecar.events.v1.Timings;
import io.lrpsidecar.events.v1.Token;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Turns one row of a batch explanation into the wire records: explanation and metrics. */
final class ExplanationAssembler {
    private ExplanationAssembler() {
    }

    /**
     * What a batch run adds to each row.
     *
     * @param compositeSpec     the canonical composite spec
     * @param executionProvider the ONNX Runtime provider used
     * @param runtimeVersions   library versions
     * @param batchSize         events in the batch
     * @param computeMs         compute time of the batch
     * @param computeStartMs    wall-clock start of the computation
     */
    record BatchFacts(String compositeSpec, String executionProvider, Map<String, String> runtimeVersions,
            int batchSize, double computeMs, long computeStartMs) {
    }

    static io.lrpsidecar.events.v1.Explanation explanation(PredictionEvent event, PendingPrediction pending,
            Explanation batch, int row, TargetSource targetSource, List<Flag> flags, ServedModel model,
            BatchFacts facts) {
        int classes = batch.logits().dim(1);
        double[] logits = Arrays.copyOfRange(batch.logits().doubles(), row * classes, (row + 1) * classes);
        int width = batch.relevance().size() / batch.rows();
        double[] relevance = Arrays.copyOfRange(batch.relevance().doubles(), row * width, (row + 1) * width);
        List<Token> tokens = model.model().tokenInput() ? tokens(TensorCodec.longs(event.getInput()),
                model.settings().vocabulary()) : List.of();
        List<Float> logitList = new ArrayList<>();
        for (double logit : logits) {
            logitList.add((float) logit);
        }
        ModelSettings.Presentation presentation = model.settings().presentation();
        List<String> classNames = presentation.classNames();
        double[] probabilities = ClassProbabilities.softmax(logits);
        int target = batch.targets()[row];
        Integer contrast = batch.contrastive(row) ? batch.contrasts()[row] : null;
        int predicted = argmax(logits);
        List<FeatureRelevance> top = topFeatures(relevance, model.settings().topK(), tokens.isEmpty()
                ? model.settings().featureNames() : tokenNames(tokens));
        return io.lrpsidecar.events.v1.Explanation.newBuilder()
                .setEventId(event.getEventId())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setModelSha256(model.sha256())
                .setComposite(facts.compositeSpec())
                .setCompositeHash(CompositeHash.of(facts.compositeSpec()))
                .setTargetClass(target)
                .setTargetSource(targetSource)
                .setTargetLogit(logits[target])
                .setLogits(logitList)
                .setPredictedClass(predicted)
                .setRelevance(model.settings().relevanceEncoding().encode(event.getInput().getShape(), relevance))
                .setTopFeatures(tokens.isEmpty() ? withValues(top, TensorCodec.values(event.getInput()),
                        presentation) : top)
                .setRelevanceSum(batch.relevanceSum(row))
                .setConservationError(batch.conservationError(row))
                .setLedger(ledger(batch.ledger(), row))
                .setFlags(flags)
                .setExecutionProvider(facts.executionProvider())
                .setRuntimeVersions(facts.runtimeVersions())
                .setTimings(Timings.newBuilder()
                        .setQueueWaitMs(Math.max(0, facts.computeStartMs() - pending.getArrivalTime().toEpochMilli()))
                        .setBatchSize(facts.batchSize())
                        .setComputeMs(facts.computeMs())
                        .build())
                .setSource(pending.getSource())
                .setTokens(tokens.isEmpty() ? null : tokens)
                .setLabel(event.getLabel())
                .setLabelName(ClassProbabilities.name(event.getLabel(), classNames))
                .setReportedClass(event.getReportedClass())
                .setReportedClassName(ClassProbabilities.name(event.getReportedClass(), classNames))
                .setReportedScores(event.getReportedScores())
                .setPredictedClassName(ClassProbabilities.name(predicted, classNames))
                .setTargetClassName(ClassProbabilities.name(target, classNames))
                .setProbabilities(Arrays.stream(probabilities).boxed().toList())
                .setTopClasses(ClassProbabilities.top(probabilities, presentation.topClasses(), classNames))
                .setContrastClass(contrast)
                .setContrastClassName(ClassProbabilities.name(contrast, classNames))
                .build();
    }

    /** The tokens of one row of ids: id, string when the vocabulary has one, and whether it pads. */
    static List<Token> tokens(long[] ids, Vocabulary vocabulary) {
        List<Token> tokens = new ArrayList<>(ids.length);
        for (long id : ids) {
            tokens.add(Token.newBuilder().setId(id).setText(vocabulary.text(id).orElse(null))
                    .setPadding(vocabulary.isPadding(id)).build());
        }
        return tokens;
    }

    /** Top-feature names of tokens: the string (or id) and the position, such as {@code great (position 3)}. */
    private static List<String> tokenNames(List<Token> tokens) {
        List<String> names = new ArrayList<>(tokens.size());
        for (int position = 0; position < tokens.size(); position++) {
            Token token = tokens.get(position);
            names.add((token.getText() != null ? token.getText() : "id " + token.getId()) + " (position "
                    + position + ")");
        }
        return names;
    }

    static ExplanationMetrics metrics(io.lrpsidecar.events.v1.Explanation explanation, PredictionEvent event) {
        return ExplanationMetrics.newBuilder()
                .setEventId(explanation.getEventId())
                .setModelName(explanation.getModelName())
                .setModelVersion(explanation.getModelVersion())
                .setComposite(explanation.getComposite())
                .setEventTime(event.getEventTime())
                .setTargetClass(explanation.getTargetClass())
                .setTargetLogit(explanation.getTargetLogit())
                .setRelevanceSum(explanation.getRelevanceSum())
                .setConservationError(explanation.getConservationError())
                .setFlags(explanation.getFlags())
                .setBatchSize(explanation.getTimings().getBatchSize())
                .setComputeMs(explanation.getTimings().getComputeMs())
                .build();
    }

    static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The {@code k} features of largest |relevance| (earlier index first on ties), in one pass keeping a small sorted
     * array: images have tens of thousands of features and only the top few are wanted.
     */
    static List<FeatureRelevance> topFeatures(double[] relevance, int k, List<String> names) {
        boolean named = names.size() == relevance.length;
        int wanted = Math.min(k, relevance.length);
        int[] best = new int[wanted];
        int size = 0;
        for (int i = 0; i < relevance.length && wanted > 0; i++) {
            double magnitude = Math.abs(relevance[i]);
            if (size == wanted && !(magnitude > Math.abs(relevance[best[size - 1]]))) {
                continue;
            }
            int position = Math.min(size, wanted - 1);
            while (position > 0 && magnitude > Math.abs(relevance[best[position - 1]])) {
                if (position < wanted) {
                    best[position] = best[position - 1];
                }
                position--;
            }
            best[position] = i;
            size = Math.min(size + 1, wanted);
        }
        List<FeatureRelevance> top = new ArrayList<>();
        for (int rank = 0; rank < size; rank++) {
            int index = best[rank];
            top.add(FeatureRelevance.newBuilder().setIndex(index).setName(named ? names.get(index) : null)
                    .setRelevance(relevance[index]).build());
        }
        return top;
    }

    /**
     * The top features with the model's input value of each, and its raw value when the model has a feature scaler.
     */
    static List<FeatureRelevance> withValues(List<FeatureRelevance> top, double[] input,
            ModelSettings.Presentation presentation) {
        return top.stream().map(feature -> {
            double value = input[feature.getIndex()];
            return FeatureRelevance.newBuilder(feature).setValue(value).setRawValue(presentation.featureScaler()
                    .map(scaler -> scaler.raw(feature.getIndex(), value)).orElse(null)).build();
        }).toList();
    }

    private static List<LedgerLayer> ledger(List<LedgerEntry> entries, int row) {
        return entries.stream().map(entry -> LedgerLayer.newBuilder()
                .setName(entry.name())
                .setOpType(entry.opType())
                .setRule(entry.rule())
                .setRelevanceIn(entry.relevanceIn()[row])
                .setRelevanceOut(entry.relevanceOut()[row])
                .setAbsorbed(entry.absorbed(row))
                .setRelativeError(entry.relativeError(row))
                .build()).toList();
    }
}
