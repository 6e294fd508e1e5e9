package io.lrpsidecar.cli;

import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.faithfulness.Estimate;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.RowScores;
import io.lrpsidecar.faithfulness.SourceResult;
import io.lrpsidecar.graph.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lrp recommend}: evaluates the built-in composites that compile for the model, a γ grid and an ε grid on a
 * sample of rows, ranks them by ABPC, compares the top two by the paired bootstrap of their per-row difference, and
 * prints the configuration line for the winner.
 */
@Command(name = "recommend", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Rank the built-in composites and a gamma and epsilon grid by faithfulness (ABPC) on a sample "
                + "of rows, and print the configuration line of the best.")
public class RecommendCommand implements Callable<Integer> {
    /** The γ values tried (on convolutions with epsilon-gamma-box, on dense layers for models without any). */
    static final List<Double> GAMMAS = List.of(0.05, 0.1, 0.25, 0.5);
    /** The ε values tried with the epsilon rule everywhere. */
    static final List<Double> EPSILONS = List.of(1e-6, 0.01, 0.1, 0.25);

    @Spec
    CommandSpec spec;

    @Mixin
    EvaluationOptions evaluation;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "200",
            description = "Evaluate on the first N rows. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--name", paramLabel = "MODEL",
            description = "The model's name in the configuration line. Default: the model file's name without .onnx.")
    String name;

    @Option(names = "--data-low", paramLabel = "LOW",
            description = "Lowest input value, the zbox bound of epsilon-gamma-box. Default: the rows' minimum, "
                    + "rounded down to 2 decimals.")
    Double dataLow;

    @Option(names = "--data-high", paramLabel = "HIGH",
            description = "Highest input value. Default: the rows' maximum, rounded up to 2 decimals.")
    Double dataHigh;

    @Override
    public Integer call() throws IOException {
        if (rows < 1) {
            throw new UserInputException("--rows " + rows + ": expected a whole number of at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        String modelName = name != null ? name : stem(evaluation.model);
        try (Evaluation run = Evaluation.open(evaluation, rows, runtimeOptions.settings())) {
            Map<String, Tensor> relevance = new LinkedHashMap<>();
            List<CompositeList.Source> kept = new ArrayList<>();
            for (String candidate : candidates(run)) {
                try {
                    Composite composite = CompositeList.parseOne("candidate", candidate);
                    if (kept.stream().anyMatch(source -> source.composite().spec().equals(composite.spec()))) {
                        continue;
                    }
                    relevance.put(candidate, run.relevance(composite));
                    kept.add(new CompositeList.Source(candidate, composite));
                } catch (RuntimeException e) {
                    out.println("skipped " + candidate + ": " + firstLine(e.getMessage()));
                }
            }
            if (kept.isEmpty()) {
                throw new UserInputException("no composite compiled for " + evaluation.model.getFileName());
            }
            List<SourceResult> results = run.evaluate(relevance);
            out.println(EvaluateCommand.header(run, evaluation.model));
            print(out, results, modelName);
        }
        return 0;
    }

    /** The candidates: every built-in (epsilon-gamma-box with the data range), then the γ and ε grids. */
    private List<String> candidates(Evaluation run) {
        double[] range = dataRange(run);
        String box = "epsilon-gamma-box(low=" + number(range[0]) + ",high=" + number(range[1]);
        List<String> candidates = new ArrayList<>();
        for (String builtIn : CompositeParser.BUILT_INS) {
            candidates.add(builtIn.equals("epsilon-gamma-box") ? box + ")" : builtIn);
        }
        boolean convolutions = run.model().views().values().stream().anyMatch(view -> view.kind() == OpKind.CONV);
        for (double gamma : GAMMAS) {
            candidates.add(convolutions ? box + ",gamma=" + number(gamma) + ")"
                    : "dense=gamma(" + number(gamma) + ")");
        }
        for (double epsilon : EPSILONS) {
            candidates.add("epsilon(epsilon=" + number(epsilon) + ")");
        }
        return candidates;
    }

    private double[] dataRange(Evaluation run) {
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (double value : run.inputs().asDoubles()) {
            low = Math.min(low, value);
            high = Math.max(high, value);
        }
        low = dataLow != null ? dataLow : BigDecimal.valueOf(low).setScale(2, RoundingMode.FLOOR).doubleValue();
        high = dataHigh != null ? dataHigh : BigDecimal.valueOf(high).setScale(2, RoundingMode.CEILING).doubleValue();
        if (!(low < high)) {
            throw new UserInputException("--data-low/--data-high: expected low < high, found " + low + " and "
                    + high);
        }
        return new double[] {low, high};
    }

    private static void print(PrintWriter out, List<SourceResult> results, String modelName) {
        List<SourceResult> ranked = new ArrayList<>(results.stream()
                .filter(result -> !result.name().equals(FaithfulnessEvaluator.RANDOM)).toList());
        Map<SourceResult, Estimate> abpc = new LinkedHashMap<>();
        results.forEach(result -> abpc.put(result, result.estimate(RowScores::abpc).orElseThrow(() ->
                new UserInputException("--order: recommend ranks by ABPC, which needs both morf and lerf"))));
        ranked.sort(Comparator.comparingDouble((SourceResult result) -> abpc.get(result).mean()).reversed());
        int width = Math.max(9, ranked.stream().mapToInt(result -> result.name().length()).max().orElse(9));
        out.printf(Locale.ROOT, "%4s  %-" + width + "s  %-26s  %9s  %9s%n", "rank", "composite", "ABPC [95% CI]",
                "AOPC MoRF", "AOPC LeRF");
        int rank = 1;
        for (SourceResult result : ranked) {
            row(out, width, String.valueOf(rank++), result.name()
                    + (result.name().equals(CompositeList.GRADIENT_X_INPUT) ? " (control)" : ""), result);
        }
        results.stream().filter(result -> result.name().equals(FaithfulnessEvaluator.RANDOM)).findFirst()
                .ifPresent(random -> row(out, width, "-", "random order (control)", random));
        SourceResult best = ranked.get(0);
        if (ranked.size() > 1) {
            SourceResult second = ranked.get(1);
            Estimate difference = Estimate.difference(abpcs(best), abpcs(second));
            out.printf(Locale.ROOT, "top two: %s minus %s: ABPC difference %s (paired bootstrap over rows): %s%n",
                    best.name(), second.name(), FaithfulnessTable.interval(difference), difference.covers(0)
                            ? "statistically indistinguishable" : "the first is ahead");
        }
        out.println("configuration line:");
        out.println("lrp.models." + modelName + ".composite=" + best.name());
        out.flush();
    }

    private static void row(PrintWriter out, int width, String rank, String name, SourceResult result) {
        Map<String, Estimate> estimates = FaithfulnessReport.estimates(result);
        out.printf(Locale.ROOT, "%4s  %-" + width + "s  %-26s  %+9.4f  %+9.4f%n", rank, name,
                FaithfulnessTable.interval(estimates.get("abpc")), estimates.get("aopcMorf").mean(),
                estimates.get("aopcLerf").mean());
    }

    private static double[] abpcs(SourceResult result) {
        return result.rows().orElseThrow().stream().mapToDouble(RowScores::abpc).toArray();
    }

    /** A number in its shortest form: {@code 0}, {@code 0.25}, {@code 1e-06}. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.valueOf((long) value);
        }
        String plain = BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        return plain.length() <= 8 ? plain : String.format(Locale.ROOT, "%.6g", value).replaceAll("0+e", "e");
    }

    private static String stem(Path model) {
        String file = model.getFileName().toString();
        return file.endsWith(".onnx") ? file.substring(0, file.length() - ".onnx".length()) : file;
    }

    private static String firstLine(String message) {
        return message == null ? "failed" : message.lines().findFirst().orElse("failed");
    }
}
