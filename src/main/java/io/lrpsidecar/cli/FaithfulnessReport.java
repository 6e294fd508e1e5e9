package io.lrpsidecar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.faithfulness.Estimate;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.Order;
import io.lrpsidecar.faithfulness.RankingSign;
import io.lrpsidecar.faithfulness.RowScores;
import io.lrpsidecar.faithfulness.SourceResult;
import io.lrpsidecar.faithfulness.TargetCurve;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The JSON report of {@code lrp evaluate}: the settings (model file and SHA-256, composites, baseline, region, steps,
 * seed, rows, targets), and per source its estimates (mean, sd, 95% bootstrap interval, rows), mean curves per order
 * (logit and probability), every row's curves and scores. Numbers are written in full (shortest round-trip form).
 */
final class FaithfulnessReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FaithfulnessReport() {
    }

    /** The named scores of a row, in report order. */
    static Map<String, ToDoubleFunction<RowScores>> scores() {
        Map<String, ToDoubleFunction<RowScores>> scores = new LinkedHashMap<>();
        scores.put("abpc", RowScores::abpc);
        scores.put("abpcLogit", RowScores::abpcLogit);
        scores.put("aopcMorf", RowScores::aopcMorf);
        scores.put("aopcLerf", RowScores::aopcLerf);
        scores.put("aopcMorfLogit", RowScores::aopcMorfLogit);
        scores.put("aopcLerfLogit", RowScores::aopcLerfLogit);
        return scores;
    }

    /**
     * The estimates of a source: every score of {@link #scores()} when both orders were drawn, else the AOPC of the
     * orders that were.
     */
    static Map<String, Estimate> estimates(SourceResult result) {
        Map<String, Estimate> estimates = new LinkedHashMap<>();
        if (result.rows().isPresent()) {
            scores().forEach((name, score) -> estimates.put(name, result.estimate(score).orElseThrow()));
            return estimates;
        }
        for (Order order : List.of(Order.MORF, Order.LERF)) {
            String label = FaithfulnessEvaluator.label(order);
            String key = "aopc" + label.substring(0, 1).toUpperCase(Locale.ROOT) + label.substring(1);
            result.aopc(label, false).ifPresent(estimate -> estimates.put(key, estimate));
            result.aopc(label, true).ifPresent(estimate -> estimates.put(key + "Logit", estimate));
        }
        return estimates;
    }

    static void write(Path file, Evaluation evaluation, String modelFile, List<CompositeList.Source> sources,
            List<SourceResult> results) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode settings = root.putObject("settings");
        settings.put("model", modelFile);
        settings.put("modelSha256", evaluation.modelSha256());
        ArrayNode composites = settings.putArray("composites");
        sources.forEach(source -> composites.addObject().put("name", source.name())
                .put("spec", source.composite().spec())
                .put("init", RankingSign.contributionInit(source.composite()).name().toLowerCase(Locale.ROOT)));
        settings.put("baseline", evaluation.baseline().describe());
        settings.put("region", evaluation.region().toString());
        settings.put("regions", evaluation.regionCount());
        settings.put("steps", evaluation.steps());
        settings.put("stepsUsed", evaluation.stepsUsed());
        ArrayNode orders = settings.putArray("orders");
        evaluation.orders().forEach(order -> orders.add(order.name().toLowerCase(Locale.ROOT)));
        settings.put("seed", evaluation.seed());
        settings.put("rows", evaluation.inputs().dim(0));
        settings.put("targetsFrom", evaluation.targetsFromLabels() ? "labels" : "predicted");
        ObjectNode bootstrap = settings.putObject("bootstrap");
        bootstrap.put("resamples", Estimate.RESAMPLES);
        bootstrap.put("seed", Estimate.SEED);
        bootstrap.put("level", 0.95);
        ArrayNode targets = root.putArray("targets");
        for (int target : evaluation.targets()) {
            targets.add(target);
        }
        ArrayNode list = root.putArray("sources");
        for (SourceResult result : results) {
            ObjectNode source = list.addObject();
            source.put("name", result.name());
            Optional<CompositeList.Source> composite = sources.stream()
                    .filter(candidate -> candidate.name().equals(result.name())).findFirst();
            source.put("control", composite.isEmpty()
                    || composite.get().name().equals(CompositeList.GRADIENT_X_INPUT));
            ObjectNode estimates = source.putObject("estimates");
            estimates(result).forEach((name, estimate) -> estimates.set(name, estimate(estimate)));
            ObjectNode meanCurves = source.putObject("meanCurves");
            ObjectNode curves = source.putObject("curves");
            result.curves().forEach((label, rows) -> {
                ObjectNode mean = meanCurves.putObject(label);
                mean.set("logit", numbers(result.meanCurve(label, true)));
                mean.set("probability", numbers(result.meanCurve(label, false)));
                ObjectNode byRow = curves.putObject(label);
                ArrayNode logits = byRow.putArray("logit");
                ArrayNode probabilities = byRow.putArray("probability");
                for (TargetCurve curve : rows) {
                    logits.add(numbers(curve.logits()));
                    probabilities.add(numbers(curve.probabilities()));
                }
            });
            result.rows().ifPresent(rows -> {
                ArrayNode scores = source.putArray("rows");
                for (RowScores row : rows) {
                    ObjectNode item = scores.addObject();
                    scores().forEach((name, score) -> item.put(name, score.applyAsDouble(row)));
                }
            });
        }
        MAPPER.writeValue(file.toFile(), root);
    }

    private static ObjectNode estimate(Estimate estimate) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("mean", estimate.mean());
        node.put("sd", estimate.sd());
        node.put("low", estimate.low());
        node.put("high", estimate.high());
        node.put("rows", estimate.rows());
        return node;
    }

    private static ArrayNode numbers(double[] values) {
        ArrayNode array = MAPPER.createArrayNode();
        for (double value : values) {
            array.add(value);
        }
        return array;
    }
}
