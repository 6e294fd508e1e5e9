package io.lrpsidecar.cli;

import io.lrpsidecar.engine.BatchedExplainer;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.npy.NpyArray;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.runtime.CompiledExplainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lrp explain}: relevance of every input feature of every row of a {@code .npy} file. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Explain each row of an input array: write the input relevance and the per-layer ledger.")
public class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "Input rows, float32 or float64, shape [rows, ...] in C order; for a model on token ids, "
                    + "int64 ids [rows, tokens] (the relevance written is then one value per token).")
    Path input;

    @Option(names = "--engine", paramLabel = "compiled|reference", defaultValue = "compiled",
            description = "compiled: the explainer compiled to ONNX, run by ONNX Runtime (float32, fast); "
                    + "reference: the double-precision reference engine. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--target", paramLabel = "predicted|class:K|labels:L.npy[,contrast:K|second]",
            defaultValue = "predicted",
            description = {"The class to explain per row. Default: ${DEFAULT-VALUE}.",
                    "Add ,contrast:K (or give contrast:K alone, for the predicted class) to explain why that class "
                            + "rather than class K: the relevance of the class minus the relevance of K, from one "
                            + "pass; contrast:second takes each row's runner-up (its most probable other class). "
                            + "Examples: contrast:1, class:7,contrast:1, labels:L.npy,contrast:second."})
    String target;

    @Option(names = "--output", paramLabel = "R.npy", description = "Where to write the input relevance.")
    Path output;

    @Option(names = "--ledger", paramLabel = "ledger.json", description = "Where to write the per-layer ledger.")
    Path ledger;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Rows explained together. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--quiet", description = "No summary line per row.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        InitMode initMode = modelOptions.initMode();
        if (batchSize < 1) {
            throw new UserInputException("--batch-size " + batchSize + ": expected a whole number of at least 1");
        }
        if (output != null) {
            IoErrors.requireWritable(output, "--output");
        }
        if (ledger != null) {
            IoErrors.requireWritable(ledger, "--ledger");
        }
        ExplainableModel explainable = modelOptions.loadModel();
        Composite parsed = modelOptions.parseComposite();
        Target chosen = TargetOption.parse(target);
        NpyArray rows = Npy.read(input);
        if (explainable.tokenInput() ? rows.dtype() != ElementType.INT64 : !rows.dtype().isFloatingPoint()) {
            throw new UserInputException(input.getFileName() + ": expected " + (explainable.tokenInput()
                    ? "int64 token ids" : "float32 or float64 input") + ", found "
                    + rows.dtype().name().toLowerCase(Locale.ROOT));
        }
        Explanation explanation;
        switch (engine) {
            case "reference" -> explanation = new BatchedExplainer(new ReferenceExplainer(explainable, parsed),
                    batchSize).explain(rows.tensor(), chosen, initMode);
            case "compiled" -> {
                explainable.checkInput(rows.tensor());
                try (CompiledExplainer compiled = new CompiledExplainer(
                        ExplainerCompiler.compile(explainable, parsed, initMode), runtimeOptions.settings())) {
                    explanation = new BatchedExplainer(compiled, batchSize).explain(rows.tensor(), chosen, initMode);
                }
            }
            default -> throw new UserInputException("--engine " + engine + ": expected compiled or reference");
        }
        if (output != null) {
            Npy.write(output, explanation.relevance(), rows.dtype().isFloatingPoint() ? rows.dtype()
                    : ElementType.FLOAT);
        }
        if (ledger != null) {
            LedgerJson.write(ledger, modelOptions.model.getFileName().toString(), parsed.spec(), initMode, chosen,
                    explanation);
        }
        warnAboutContrastsEqualToTheTarget(spec.commandLine().getErr(), explanation);
        if (!quiet) {
            printSummary(spec.commandLine().getOut(), explanation, chosen);
        }
        return 0;
    }

    private static void printSummary(PrintWriter out, Explanation explanation, Target target) {
        String how = TargetOption.describe(target);
        for (int row = 0; row < explanation.rows(); row++) {
            int targetClass = explanation.targets()[row];
            if (explanation.contrastive(row)) {
                int contrast = explanation.contrasts()[row];
                out.printf(Locale.ROOT, "row %d: target %d rather than %d (%s), logit %.6g - %.6g = %.6g, sum of "
                        + "relevance %.6g, conservation error %.3e%n", row, targetClass, contrast, how,
                        explanation.logit(row, targetClass), explanation.logit(row, contrast),
                        explanation.initialRelevance()[row], explanation.relevanceSum(row),
                        explanation.conservationError(row));
            } else {
                out.printf(Locale.ROOT, "row %d: target %d (%s), logit %.6g, sum of relevance %.6g, conservation "
                        + "error %.3e%n", row, targetClass, how, explanation.logit(row, targetClass),
                        explanation.relevanceSum(row), explanation.conservationError(row));
            }
        }
        out.flush();
    }

    /** One line on standard error per row contrasted with its own target: its relevance is 0 by construction. */
    private static void warnAboutContrastsEqualToTheTarget(PrintWriter err, Explanation explanation) {
        for (int row = 0; row < explanation.rows(); row++) {
            if (explanation.contrastIsTarget(row)) {
                err.printf(Locale.ROOT, "warning: row %d: the target %d is also the contrast class, so its relevance "
                        + "is 0 by construction%n", row, explanation.targets()[row]);
            }
        }
        err.flush();
    }
}
