package io.lrpsidecar.bench;

import io.lrpsidecar.testing.PlainJvmLogging;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.coverage.WeightlessExport;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures the compiled explainer against the plain forward pass on the same ONNX Runtime with the same threads,
 * interleaving the two so that their ratio comes from one run, and the memory of a long explanation run. Writes a
 * Markdown report. Run with {@code mvn -B -Pbench -DskipTests verify} (see docs/benchmarks.md); arguments: report file, rows of
 * the memory run, and a regular expression over {@code "model composite batch"} selecting the cells.
 */
public final class ExplainerBenchmark {
    private static final int THREADS = 2;
    private static final List<String> COMPOSITES = List.of("epsilon", "epsilon-plus-flat",
            "epsilon-gamma-box(low=0,high=1)");
    private static final List<String> TRANSFORMER_COMPOSITES = List.of("attnlrp", "cp-lrp");

    private ExplainerBenchmark() {
    }

    /** One measured cell. */
    private record Cell(String model, String composite, int batch, double forwardMs, double explainMs,
            double peakRssMiB) {
        double ratio() {
            return explainMs / forwardMs;
        }

        double explanationsPerSecond() {
            return batch * 1000.0 / explainMs;
        }
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        Path output = Path.of(args.length > 0 ? args[0] : "target/benchmarks.md");
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        String only = args.length > 2 ? args[2] : ".*";
        List<Cell> cells = new ArrayList<>();
        Path digits = Path.of("src/test/resources/reference/cnn_digits/model.onnx");
        String memory = memoryRun(OnnxModelReader.read(digits), rows);
        List<String> names = List.of("cnn_digits", "vgg64", "resnet18", "text_transformer", "vit_b_16");
        for (int index = 0; index < names.size(); index++) {
            String name = names.get(index);
            boolean transformer = name.equals("text_transformer") || name.equals("vit_b_16");
            for (String composite : transformer ? TRANSFORMER_COMPOSITES : COMPOSITES) {
                for (int batch : new int[] {1, 32}) {
                    if (!(name + " " + composite + " " + batch).matches(only)) {
                        continue;
                    }
                    Cell cell = measure(name, model(name), composite, batch);
                    System.out.println(format(cell));
                    cells.add(cell);
                }
            }
        }
        String report = report(cells, memory, rows);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, report);
        System.out.println(report);
    }

    /**
     * The benchmark models: the digits CNN and the text transformer of the reference data, the generated VGG-style
     * and ResNet-18 networks, and the torchvision ViT-B/16 export refilled with seeded weights
     * (its head drawn at random, {@link WeightlessExport#vitWithRandomHead}).
     */
    private static Graph model(String name) {
        return switch (name) {
            case "cnn_digits" -> OnnxModelReader.read(Path.of("src/test/resources/reference/cnn_digits/model.onnx"));
            case "text_transformer" -> OnnxModelReader.read(
                    Path.of("src/test/resources/reference/text_transformer/model.onnx"));
            case "vgg64" -> BenchmarkModels.vgg64();
            case "resnet18" -> BenchmarkModels.resnet18();
            default -> WeightlessExport.vitWithRandomHead(20_240_610L);
        };
    }

    private static Cell measure(String name, Graph graph, String composite, int batch) throws Exception {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        Tensor input = randomInput(model, batch, new Random(batch));
        float[] floats = floats(input);
        long[] shape = Arrays.stream(input.shape()).asLongStream().toArray();
        ProcessMemory.resetPeak();
        try (ForwardRunner forward = new ForwardRunner(OnnxModelWriter.write(graph), THREADS);
                CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                        new CompositeParser(file -> null).parse(composite), InitMode.LOGIT),
                        new RuntimeSettings(DeviceChoice.CPU, THREADS, 1))) {
            Target target = new Target.Predicted();
            for (int warm = 0; warm < 3; warm++) {
                forward(forward, input, floats, shape);
                explainer.explain(input, target, InitMode.LOGIT);
            }
            List<Double> forwardTimes = new ArrayList<>();
            List<Double> explainTimes = new ArrayList<>();
            long deadline = System.nanoTime() + 4_000_000_000L;
            while (forwardTimes.size() < 7 || (System.nanoTime() < deadline && forwardTimes.size() < 200)) {
                long start = System.nanoTime();
                forward(forward, input, floats, shape);
                long middle = System.nanoTime();
                explainer.explain(input, target, InitMode.LOGIT);
                long end = System.nanoTime();
                forwardTimes.add((middle - start) / 1e6);
                explainTimes.add((end - middle) / 1e6);
            }
            return new Cell(name, composite, batch, median(forwardTimes), median(explainTimes),
                    ProcessMemory.peakRssMiB());
        }
    }

    private static void forward(ForwardRunner forward, Tensor input, float[] floats, long[] shape) throws Exception {
        if (input.isFloatingPoint()) {
            forward.run(floats, shape);
        } else {
            forward.run(input.longs(), shape);
        }
    }

    /** Explains {@code rows} rows of the digits CNN in batches of 32 and samples heap and RSS along the way. */
    private static String memoryRun(Graph graph, long rows) throws Exception {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        int batches = (int) (rows / 32);
        StringBuilder table = new StringBuilder("| rows explained | heap used after GC (MiB) | RSS (MiB) |\n"
                + "|---:|---:|---:|\n");
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                new CompositeParser(file -> null).parse("epsilon-plus-flat"), InitMode.LOGIT),
                new RuntimeSettings(DeviceChoice.CPU, THREADS, 1))) {
            Random random = new Random(5);
            long start = System.nanoTime();
            for (int batch = 1; batch <= batches; batch++) {
                explainer.explain(randomInput(model, 32, random), new Target.Predicted(), InitMode.LOGIT);
                if (batch == batches / 10 || batch % (batches / 5) == 0) {
                    System.gc();
                    table.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f |%n", batch * 32L,
                            ProcessMemory.heapUsedMiB(), ProcessMemory.rssMiB()));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            table.append(String.format(Locale.ROOT, "%nThroughput over the whole run: %.0f explanations/s "
                    + "(%d rows in %.1f s, input generation included).%n", batches * 32 / seconds, batches * 32L,
                    seconds));
        }
        return table.toString();
    }

    private static Tensor randomInput(ExplainableModel model, int batch, Random random) {
        if (model.tokenInput()) {
            int length = model.rowShape().get(0);
            long[] ids = new long[batch * length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i % length == 0 ? 1 : 2 + random.nextInt(model.vocabularySize() - 2);
            }
            return Tensor.ofLongs(new int[] {batch, length}, ids);
        }
        List<Integer> row = model.rowShape();
        int[] shape = new int[row.size() + 1];
        shape[0] = batch;
        for (int i = 0; i < row.size(); i++) {
            shape[i + 1] = row.get(i);
        }
        double[] values = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        return Tensor.of(shape, values);
    }

    private static float[] floats(Tensor tensor) {
        if (!tensor.isFloatingPoint()) {
            return new float[0];
        }
        float[] values = new float[tensor.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) tensor.doubles()[i];
        }
        return values;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static String format(Cell cell) {
        return String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.0f | %.2f | %.0f |", cell.model(),
                cell.composite(), cell.batch(), cell.forwardMs(), cell.explainMs(), cell.explanationsPerSecond(),
                cell.ratio(), cell.peakRssMiB());
    }

    private static String report(List<Cell> cells, String memory, long rows) {
        StringBuilder text = new StringBuilder();
        text.append("| model | composite | batch | forward ms/batch | explain ms/batch | explanations/s "
                + "| explain/forward | peak RSS MiB |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        cells.forEach(cell -> text.append(format(cell)).append('\n'));
        text.append("\n### Memory over ").append(rows).append(" rows (cnn_digits, epsilon-plus-flat, batch 32)\n\n");
        text.append(memory);
        return text.toString();
    }
}
