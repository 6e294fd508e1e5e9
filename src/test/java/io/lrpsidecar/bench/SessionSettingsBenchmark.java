package io.lrpsidecar.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.testing.PlainJvmLogging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures ONNX Runtime session settings and the batch size on the compiled explainer and the forward pass (issue
 * #13): spinning, graph optimisation level, memory pattern, intra-op threads and batch. Each comparison ("lever") is
 * one run in one JVM. For the session levers all variants are built side by side and measured in rounds, each round
 * timing one forward and one explain run of every variant, in alternating order, so that the variants see the same
 * machine state; the report gives medians and, against the first variant, the median over rounds of the paired
 * explain-time ratio. Spinning is measured one variant after the other, because a spinning session's idle threads
 * would take the cores from the other variants' runs; so is the batch, whose sessions would not all fit in memory at
 * once. Arguments: report file, rounds (at least 5), and a regular
 * expression over {@code "lever model"} (levers: spinning, optlevel, mempattern, threads, batch).
 */
public final class SessionSettingsBenchmark {
    private static final String COMPOSITE = "epsilon-plus-flat";
    private static final int WARM_UP = 3;
    private static final int BASE_BATCH = 32;

    private SessionSettingsBenchmark() {
    }

    /** One variant's timings over the rounds. */
    private record Timings(SessionVariant variant, List<Double> forwardMs, List<Double> explainMs) {
        double forward() {
            return median(forwardMs);
        }

        double explain() {
            return median(explainMs);
        }

        double explanationsPerSecond() {
            return variant.batch() * 1000.0 / explain();
        }
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        Path output = Path.of(args.length > 0 ? args[0] : "target/session-benchmark.md");
        int rounds = Math.max(5, args.length > 1 ? Integer.parseInt(args[1]) : 7);
        String only = args.length > 2 ? args[2] : ".*";
        StringBuilder report = new StringBuilder();
        for (String name : List.of("vgg64", "resnet18")) {
            List<String> levers = List.of("spinning", "optlevel", "mempattern", "threads", "batch").stream()
                    .filter(lever -> (lever + " " + name).matches(only)).toList();
            if (levers.isEmpty()) {
                continue;
            }
            Graph graph = name.equals("vgg64") ? BenchmarkModels.vgg64() : BenchmarkModels.resnet18();
            ExplainableModel model = ExplainableModel.prepare(graph, true);
            CompiledModel compiled = ExplainerCompiler.compile(model, new CompositeParser(file -> null)
                    .parse(COMPOSITE), InitMode.LOGIT);
            byte[] forwardOnnx = OnnxModelWriter.write(graph);
            byte[] explainOnnx = compiled.toOnnx();
            for (String lever : levers) {
                List<Timings> timings = switch (lever) {
                    case "batch" -> oneAfterAnother(batches(), model, compiled, forwardOnnx, explainOnnx, rounds);
                    case "spinning" -> oneAfterAnother(variants(lever), model, compiled, forwardOnnx, explainOnnx,
                            rounds);
                    default -> interleaved(variants(lever), model, compiled, forwardOnnx, explainOnnx, rounds);
                };
                String table = table(name, lever, timings, !lever.equals("batch") && !lever.equals("spinning"));
                System.out.println(table);
                report.append(table).append('\n');
            }
        }
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, report.toString());
    }

    private static List<SessionVariant> variants(String lever) {
        SessionVariant base = SessionVariant.sidecar(BASE_BATCH);
        return switch (lever) {
            case "spinning" -> List.of(base.named("spinning off"), base.withSpinning(true).named("spinning on"),
                    base.named("spinning off, again (order check)"));
            case "optlevel" -> List.of(base.named("ALL_OPT"),
                    base.withOptLevel(OptLevel.EXTENDED_OPT).named("EXTENDED_OPT"),
                    base.withOptLevel(OptLevel.BASIC_OPT).named("BASIC_OPT"));
            case "mempattern" -> List.of(base.named("memory pattern on"),
                    base.withMemoryPattern(false).named("memory pattern off"));
            case "threads" -> List.of(base.named("intra 2, inter 1"), base.withThreads(1, 1).named("intra 1, inter 1"));
            default -> throw new IllegalArgumentException("expected a lever spinning, optlevel, mempattern, threads "
                    + "or batch, found " + lever);
        };
    }

    private static List<Timings> interleaved(List<SessionVariant> variants, ExplainableModel model,
            CompiledModel compiled, byte[] forwardOnnx, byte[] explainOnnx, int rounds) throws Exception {
        List<TunedSession> sessions = new ArrayList<>();
        List<Timings> timings = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime")) {
            NDList forwardInput = forwardInput(manager, model, BASE_BATCH);
            NDList explainInput = explainInput(manager, compiled, forwardInput.get(0), BASE_BATCH);
            for (SessionVariant variant : variants) {
                TunedSession forward = new TunedSession("forward", forwardOnnx, variant);
                sessions.add(forward);
                TunedSession explain = new TunedSession("explain", explainOnnx, variant);
                sessions.add(explain);
                for (int warm = 0; warm < WARM_UP; warm++) {
                    forward.timedRun(forwardInput);
                    explain.timedRun(explainInput);
                }
                timings.add(new Timings(variant, new ArrayList<>(), new ArrayList<>()));
            }
            for (int round = 0; round < rounds; round++) {
                for (int step = 0; step < variants.size(); step++) {
                    int index = round % 2 == 0 ? step : variants.size() - 1 - step;
                    timings.get(index).forwardMs().add(sessions.get(2 * index).timedRun(forwardInput));
                    timings.get(index).explainMs().add(sessions.get(2 * index + 1).timedRun(explainInput));
                }
            }
        } finally {
            sessions.forEach(TunedSession::close);
        }
        return timings;
    }

    private static List<SessionVariant> batches() {
        return Arrays.stream(new int[] {BASE_BATCH, 8, 16, 64, 128})
                .mapToObj(batch -> SessionVariant.sidecar(batch).named("batch " + batch)).toList();
    }

    /**
     * Measures the variants one after the other, each alone in the process: the warm-up, then all forward runs, then
     * all explain runs, so that no other session's threads run or spin in between (the sidecar's steady state, where
     * one explainer session runs batch after batch).
     */
    private static List<Timings> oneAfterAnother(List<SessionVariant> variants, ExplainableModel model,
            CompiledModel compiled, byte[] forwardOnnx, byte[] explainOnnx, int rounds) throws Exception {
        List<Timings> timings = new ArrayList<>();
        for (SessionVariant variant : variants) {
            int batch = variant.batch();
            try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime");
                    TunedSession forward = new TunedSession("forward", forwardOnnx, variant);
                    TunedSession explain = new TunedSession("explain", explainOnnx, variant)) {
                NDList forwardInput = forwardInput(manager, model, batch);
                NDList explainInput = explainInput(manager, compiled, forwardInput.get(0), batch);
                for (int warm = 0; warm < WARM_UP; warm++) {
                    forward.timedRun(forwardInput);
                    explain.timedRun(explainInput);
                }
                Timings batchTimings = new Timings(variant, new ArrayList<>(), new ArrayList<>());
                for (int round = 0; round < rounds; round++) {
                    batchTimings.forwardMs().add(forward.timedRun(forwardInput));
                }
                for (int round = 0; round < rounds; round++) {
                    batchTimings.explainMs().add(explain.timedRun(explainInput));
                }
                timings.add(batchTimings);
            }
        }
        return timings;
    }

    /** Uniform [0, 1) rows of the model's input shape from a fixed seed. */
    private static NDList forwardInput(NDManager manager, ExplainableModel model, int batch) {
        List<Integer> row = model.rowShape();
        long[] shape = new long[row.size() + 1];
        shape[0] = batch;
        for (int i = 0; i < row.size(); i++) {
            shape[i + 1] = row.get(i);
        }
        float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(batch);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        NDArray input = manager.create(values, new Shape(shape));
        return new NDList(input);
    }

    /** The explainer's inputs: the same rows, the predicted class as target and, if the graph takes it, no contrast. */
    private static NDList explainInput(NDManager manager, CompiledModel compiled, NDArray rows, int batch) {
        NDArray input = rows.duplicate();
        input.setName(CompiledModel.INPUT);
        long[] predicted = new long[batch];
        Arrays.fill(predicted, -1);
        NDArray target = manager.create(predicted, new Shape(batch));
        target.setName(CompiledModel.TARGET);
        NDList inputs = new NDList(input, target);
        if (compiled.takesContrast()) {
            long[] none = new long[batch];
            Arrays.fill(none, Contrast.NONE);
            NDArray contrast = manager.create(none, new Shape(batch));
            contrast.setName(CompiledModel.CONTRAST);
            inputs.add(contrast);
        }
        return inputs;
    }

    private static String table(String model, String lever, List<Timings> timings, boolean paired) {
        Timings base = timings.get(0);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "### %s, %s, %s (%d rounds)%n%n", lever,
                model, COMPOSITE, base.explainMs().size()));
        text.append("| variant | batch | forward ms (median) | explain ms (median) | explain ms min-max "
                + "| explanations/s | explain/forward | explanations/s vs first | explain time vs first "
                + (paired ? "(paired)" : "(medians)") + " |\n|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (Timings variant : timings) {
            double time = paired ? pairedRatio(variant.explainMs(), base.explainMs())
                    : variant.explain() / variant.variant().batch() / (base.explain() / base.variant().batch());
            text.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.1f-%.1f | %.1f | %.2f | %.3f | %.3f |%n",
                    variant.variant().label(), variant.variant().batch(), variant.forward(), variant.explain(),
                    min(variant.explainMs()), max(variant.explainMs()), variant.explanationsPerSecond(),
                    variant.explain() / variant.forward(),
                    variant.explanationsPerSecond() / base.explanationsPerSecond(), time));
        }
        return text.toString();
    }

    private static double pairedRatio(List<Double> variant, List<Double> base) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < variant.size(); round++) {
            ratios.add(variant.get(round) / base.get(round));
        }
        return median(ratios);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
