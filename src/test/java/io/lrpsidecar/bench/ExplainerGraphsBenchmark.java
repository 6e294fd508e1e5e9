package io.lrpsidecar.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.testing.PlainJvmLogging;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Compares compiled explainer graphs of one benchmark model, for example the same composite compiled before and after
 * a change of the compiler (issue #13): every graph and the plain model get a session with the sidecar's settings
 * (2 intra-op threads, no spinning, ALL_OPT), and each round times one forward run and one run of every graph, in
 * alternating order, so that all see the same machine state. Reports per graph the median explain time, the median
 * explain/forward ratio over rounds, the median over rounds of its explain time against the first graph's (paired),
 * and the same for the process's CPU time during the run, which other processes on a shared machine disturb less than
 * the wall time (it undercounts single-threaded operators, which leave the second core idle).
 *
 * <p>Arguments: report file, rounds (at least 5), model ({@code vgg64} or {@code resnet18}), then one or more
 * {@code label=explainer.onnx} (a label ending in {@code @nchw} runs without ONNX Runtime's NCHWc transformer);
 * graphs written by {@link ExplainerProfile} (runs 0) or {@code lrp compile} of the same model. With three arguments
 * (as {@code mvn -Pbench} passes {@code bench.output}, {@code bench.rows} and {@code bench.cells}), the third holds the
 * model and the graphs separated by spaces.
 */
public final class ExplainerGraphsBenchmark {
    private static final int BATCH = 32;
    private static final int WARM_UP = 3;
    /** A label ending in this runs its graph without ONNX Runtime's blocked (NCHWc) layout. */
    private static final String PLAIN_LAYOUT = "@nchw";
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ExplainerGraphsBenchmark() {
    }

    public static void main(String[] arguments) throws Exception {
        PlainJvmLogging.quiet();
        String[] args = arguments.length == 3 ? concat(arguments[0], arguments[1], arguments[2].trim().split("\\s+"))
                : arguments;
        Path output = Path.of(args[0]);
        int rounds = Math.max(5, Integer.parseInt(args[1]));
        String name = args[2];
        Graph graph = switch (name) {
            case "vgg64" -> BenchmarkModels.vgg64();
            case "resnet18" -> BenchmarkModels.resnet18();
            default -> throw new IllegalArgumentException("expected vgg64 or resnet18, found " + name);
        };
        List<String> labels = new ArrayList<>();
        List<TunedSession> explainers = new ArrayList<>();
        SessionVariant settings = SessionVariant.sidecar(BATCH);
        List<List<Double>> explainMs = new ArrayList<>();
        List<List<Double>> ratios = new ArrayList<>();
        List<List<Double>> cpuMs = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime");
                TunedSession forward = new TunedSession("forward", OnnxModelWriter.write(graph), settings)) {
            for (int i = 3; i < args.length; i++) {
                String[] labelAndFile = args[i].split("=", 2);
                labels.add(labelAndFile[0]);
                explainers.add(new TunedSession(labelAndFile[0], Files.readAllBytes(Path.of(labelAndFile[1])),
                        labelAndFile[0].endsWith(PLAIN_LAYOUT) ? settings.withoutBlockedLayout() : settings));
                explainMs.add(new ArrayList<>());
                ratios.add(new ArrayList<>());
                cpuMs.add(new ArrayList<>());
            }
            NDList forwardInput = input(manager, graph);
            NDList explainInput = explainInput(manager, forwardInput.get(0));
            for (int warm = 0; warm < WARM_UP; warm++) {
                forward.timedRun(forwardInput);
                for (TunedSession explainer : explainers) {
                    explainer.timedRun(explainInput);
                }
            }
            for (int round = 0; round < rounds; round++) {
                double forwardMs = forward.timedRun(forwardInput);
                for (int step = 0; step < explainers.size(); step++) {
                    int index = round % 2 == 0 ? step : explainers.size() - 1 - step;
                    long cpuStart = OS.getProcessCpuTime();
                    double ms = explainers.get(index).timedRun(explainInput);
                    cpuMs.get(index).add((OS.getProcessCpuTime() - cpuStart) / 1e6);
                    explainMs.get(index).add(ms);
                    ratios.get(index).add(ms / forwardMs);
                }
            }
        } finally {
            explainers.forEach(TunedSession::close);
        }
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "### %s, batch %d, %d rounds%n%n| graph | explain ms (median) | min-max | explain/forward (median) "
                        + "| explain time vs first (paired) | process CPU ms (median) | CPU time vs first (paired) |%n"
                        + "|---|---:|---|---:|---:|---:|---:|%n", name, BATCH, rounds));
        for (int i = 0; i < labels.size(); i++) {
            List<Double> paired = new ArrayList<>();
            List<Double> pairedCpu = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                paired.add(explainMs.get(i).get(round) / explainMs.get(0).get(round));
                pairedCpu.add(cpuMs.get(i).get(round) / cpuMs.get(0).get(round));
            }
            report.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f-%.1f | %.2f | %.3f | %.1f | %.3f |%n",
                    labels.get(i),
                    FaithfulnessBenchmark.median(explainMs.get(i)), explainMs.get(i).stream().mapToDouble(Double::doubleValue).min()
                            .orElseThrow(), explainMs.get(i).stream().mapToDouble(Double::doubleValue).max()
                            .orElseThrow(), FaithfulnessBenchmark.median(ratios.get(i)), FaithfulnessBenchmark.median(paired), FaithfulnessBenchmark.median(cpuMs.get(i)),
                    FaithfulnessBenchmark.median(pairedCpu)));
        }
        System.out.println(report);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, report.toString());
    }

    private static String[] concat(String first, String second, String[] rest) {
        String[] all = new String[rest.length + 2];
        all[0] = first;
        all[1] = second;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    private static NDList input(NDManager manager, Graph graph) {
        long[] shape = {BATCH, 3, graph.name().equals("vgg64") ? 64 : 224, graph.name().equals("vgg64") ? 64 : 224};
        float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(BATCH);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        return new NDList(manager.create(values, new Shape(shape)));
    }

    private static NDList explainInput(NDManager manager, NDArray rows) {
        NDArray input = rows.duplicate();
        input.setName(CompiledModel.INPUT);
        long[] none = new long[BATCH];
        Arrays.fill(none, -1);
        NDArray target = manager.create(none, new Shape(BATCH));
        target.setName(CompiledModel.TARGET);
        NDArray contrast = manager.create(none.clone(), new Shape(BATCH));
        contrast.setName(CompiledModel.CONTRAST);
        return new NDList(input, target, contrast);
    }
}
