package io.lrpsidecar.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.testing.PlainJvmLogging;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Where the compiled explainer's time goes: runs one benchmark model's explainer (and its forward pass) under ONNX
 * Runtime's profiler with the sidecar's session options and prints the kernel time per operator type and the
 * slowest nodes, per run. Also writes the graph as ONNX Runtime optimised it, to see where it reorders to and from
 * its blocked layout. Arguments: model (vgg64 or resnet18), composite, batch, runs (0: only write the explainer
 * graph), output directory, and optionally an explainer graph file to profile instead of compiling one.
 */
public final class ExplainerProfile {
    private ExplainerProfile() {
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        String name = args.length > 0 ? args[0] : "vgg64";
        String composite = args.length > 1 ? args[1] : "epsilon-plus-flat";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path directory = Path.of(args.length > 4 ? args[4] : "target/profile");
        Files.createDirectories(directory);
        Graph graph = switch (name) {
            case "vgg64" -> BenchmarkModels.vgg64();
            case "resnet18" -> BenchmarkModels.resnet18();
            default -> throw new IllegalArgumentException("expected vgg64 or resnet18, found " + name);
        };
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        CompiledModel compiled = ExplainerCompiler.compile(model, new CompositeParser(file -> null).parse(composite),
                InitMode.LOGIT);
        byte[] explainer = args.length > 5 ? Files.readAllBytes(Path.of(args[5])) : compiled.toOnnx();
        Files.write(directory.resolve(name + "-explainer.onnx"), explainer);
        if (runs == 0) {
            return;
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        long[] shape = new long[model.rowShape().size() + 1];
        shape[0] = batch;
        for (int i = 0; i < model.rowShape().size(); i++) {
            shape[i + 1] = model.rowShape().get(i);
        }
        float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(batch);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        long[] none = new long[batch];
        Arrays.fill(none, -1);
        for (String part : List.of("forward", "explain")) {
            byte[] onnx = part.equals("forward") ? OnnxModelWriter.write(graph) : explainer;
            try (OrtSession.SessionOptions options = CompiledExplainer.sessionOptions(RuntimeSettings.defaults())) {
                options.setIntraOpNumThreads(2);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                options.setOptimizedModelFilePath(directory.resolve(name + "-" + part + "-optimised.onnx").toString());
                options.enableProfiling(directory.resolve(name + "-" + part).toString());
                try (OrtSession session = environment.createSession(onnx, options);
                        OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape);
                        OnnxTensor target = OnnxTensor.createTensor(environment, LongBuffer.wrap(none),
                                new long[] {batch});
                        OnnxTensor contrast = OnnxTensor.createTensor(environment, LongBuffer.wrap(none.clone()),
                                new long[] {batch})) {
                    Map<String, OnnxTensor> feeds = new HashMap<>();
                    feeds.put(session.getInputNames().iterator().next(), input);
                    if (part.equals("explain")) {
                        feeds.put(CompiledModel.INPUT, input);
                        feeds.put(CompiledModel.TARGET, target);
                        if (session.getInputNames().contains(CompiledModel.CONTRAST)) {
                            feeds.put(CompiledModel.CONTRAST, contrast);
                        }
                        feeds.keySet().retainAll(session.getInputNames());
                    }
                    for (int warm = 0; warm < 3; warm++) {
                        session.run(feeds).close();
                    }
                    long start = System.nanoTime();
                    for (int run = 0; run < runs; run++) {
                        session.run(feeds).close();
                    }
                    double wall = (System.nanoTime() - start) / 1e6 / runs;
                    String file = session.endProfiling();
                    System.out.printf(Locale.ROOT, "%n== %s %s %s batch %d: %.2f ms per run (wall)%n", name,
                            composite, part, batch, wall);
                    summarise(Path.of(file), runs);
                }
            }
        }
    }

    /**
     * Prints kernel time per operator type and the 40 slowest nodes, averaged over the timed runs: the kernels that
     * start within the last {@code timedRuns} {@code model_run} intervals (the warm-up runs come first).
     */
    private static void summarise(Path profile, int timedRuns) throws Exception {
        JsonNode events = new ObjectMapper().readTree(profile.toFile());
        List<long[]> runs = new ArrayList<>();
        for (JsonNode event : events) {
            if (event.path("cat").asText().equals("Session") && event.path("name").asText().equals("model_run")) {
                runs.add(new long[] {event.path("ts").asLong(), event.path("ts").asLong() + event.path("dur").asLong()});
            }
        }
        runs.sort(Comparator.comparingLong(run -> run[0]));
        List<long[]> timed = runs.subList(Math.max(0, runs.size() - timedRuns), runs.size());
        Map<String, Double> byType = new TreeMap<>();
        Map<String, Double> byNode = new HashMap<>();
        Map<String, String> typeOf = new HashMap<>();
        for (JsonNode event : events) {
            String eventName = event.path("name").asText();
            long start = event.path("ts").asLong();
            if (!event.path("cat").asText().equals("Node") || !eventName.endsWith("_kernel_time")
                    || timed.stream().noneMatch(run -> start >= run[0] && start <= run[1])) {
                continue;
            }
            String type = event.path("args").path("op_name").asText();
            double ms = event.path("dur").asDouble() / 1000.0 / timed.size();
            byType.merge(type, ms, Double::sum);
            String node = eventName.substring(0, eventName.length() - "_kernel_time".length());
            byNode.merge(node, ms, Double::sum);
            typeOf.put(node, type);
        }
        double total = byType.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf(Locale.ROOT, "kernel time %.2f ms per run%n", total);
        byType.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> System.out.printf(Locale.ROOT, "  %-28s %8.2f ms %5.1f%%%n", entry.getKey(),
                        entry.getValue(), 100 * entry.getValue() / total));
        System.out.println("slowest nodes:");
        byNode.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(40)
                .forEach(entry -> System.out.printf(Locale.ROOT, "  %-60s %-22s %8.2f ms%n", entry.getKey(),
                        typeOf.get(entry.getKey()), entry.getValue()));
    }
}
