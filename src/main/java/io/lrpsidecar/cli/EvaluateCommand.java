package io.lrpsidecar.cli;

import io.lrpsidecar.faithfulness.CurveSettings;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.SourceResult;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.render.CurvePlot;
import io.lrpsidecar.render.Png;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code lrp evaluate}: how faithful each composite's relevance is to the model, by region perturbation (MoRF and
 * LeRF curves, AOPC, ABPC), beside gradient × input and a random order as controls.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure how faithful composites' relevance is: perturb regions in relevance order (most and "
                + "least relevant first), re-run the model, report AOPC and ABPC with bootstrap intervals.")
public class EvaluateCommand implements Callable<Integer> {
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
        new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2), new Color(0x17BECF)};

    @Spec
    CommandSpec spec;

    @Mixin
    EvaluationOptions evaluation;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--composites", required = true, paramLabel = "a,b,...",
            description = "Composites to evaluate, comma-separated (commas inside parentheses belong to the spec); "
                    + "gradient-x-input is always added as a control.")
    String composites;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "0",
            description = "Evaluate the first N rows (0: all). Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--output", paramLabel = "report.json", description = "Where to write the JSON report.")
    Path output;

    @Option(names = "--plot", paramLabel = "curves.png", description = "Where to draw the mean probability curves.")
    Path plot;

    @Option(names = "--relevance-out", paramLabel = "DIR",
            description = "A directory to write each source's relevance to, as <source>.npy (float32, input order).")
    Path relevanceOut;

    @Override
    public Integer call() throws IOException {
        if (output != null) {
            IoErrors.requireWritable(output, "--output");
        }
        if (plot != null) {
            IoErrors.requireWritable(plot, "--plot");
        }
        if (relevanceOut != null && !Files.isDirectory(relevanceOut)) {
            throw new UserInputException("--relevance-out " + relevanceOut + ": expected an existing directory");
        }
        List<CompositeList.Source> sources = CompositeList.parseList("--composites", composites);
        try (Evaluation run = Evaluation.open(evaluation, rows, runtimeOptions.settings())) {
            Map<String, Tensor> relevance = new LinkedHashMap<>();
            for (CompositeList.Source source : sources) {
                relevance.put(source.name(), run.relevance(source.composite()));
            }
            List<SourceResult> results = run.evaluate(relevance);
            PrintWriter out = spec.commandLine().getOut();
            out.println(header(run, evaluation.model));
            FaithfulnessTable.print(out, results);
            if (relevanceOut != null) {
                for (Map.Entry<String, Tensor> entry : relevance.entrySet()) {
                    Npy.write(relevanceOut.resolve(fileName(entry.getKey())), entry.getValue(), ElementType.FLOAT);
                }
            }
            if (output != null) {
                FaithfulnessReport.write(output, run, evaluation.model.getFileName().toString(), sources, results);
            }
            if (plot != null) {
                Files.write(plot, Png.encode(chart(run, evaluation.model.getFileName().toString(), results)));
            }
        }
        return 0;
    }

    /** The settings line above the table. */
    static String header(Evaluation run, Path model) {
        return String.format(Locale.ROOT, "%s: %d rows, targets %s, baseline %s, region %s (%d regions), %d steps, "
                + "seed %d; ABPC = area(LeRF) - area(MoRF) on the target's probability, 95%% bootstrap intervals",
                model.getFileName(), run.inputs().dim(0), run.targetsFromLabels() ? "from labels" : "predicted",
                run.baseline().describe(), run.region(), run.regionCount(), run.stepsUsed(), run.seed());
    }

    /** The file a source's relevance is written to: its name with anything but letters, digits, . and - as _. */
    static String fileName(String source) {
        return source.replaceAll("[^A-Za-z0-9.-]", "_") + ".npy";
    }

    private static java.awt.image.BufferedImage chart(Evaluation run, String model, List<SourceResult> results) {
        int steps = run.stepsUsed();
        double[] x = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
            x[k] = (double) CurveSettings.perturbedAt(k, run.regionCount(), steps) / run.regionCount();
        }
        List<CurvePlot.Series> series = new ArrayList<>();
        int colour = 0;
        for (SourceResult result : results) {
            boolean random = result.name().equals(FaithfulnessEvaluator.RANDOM);
            Color color = random ? Color.GRAY : PALETTE[colour++ % PALETTE.length];
            for (Map.Entry<String, ?> curve : result.curves().entrySet()) {
                String label = curve.getKey();
                boolean dashed = label.equals("lerf") || label.equals(FaithfulnessEvaluator.RANDOM_REVERSED);
                String name = label.equals("morf") ? "MoRF" : label.equals("lerf") ? "LeRF" : label;
                series.add(new CurvePlot.Series(random ? name : result.name() + " " + name, x,
                        result.meanCurve(label, false), color, dashed));
            }
        }
        return CurvePlot.draw(model + ": mean target probability, " + run.inputs().dim(0) + " rows",
                "fraction of regions perturbed (" + run.baseline().describe() + ", region " + run.region() + ")",
                "target probability", series);
    }
}
