package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.engine.ConservationMath;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What float16 relevance costs in precision on the two demo models' held-out rows (digits: 450, breast_cancer: 143),
 * through the topology with the demo composites, as a reader of the records sees it: per row the largest error
 * relative to the row's largest |relevance|, the relevance sum and conservation error recomputed from the decoded
 * tensor, whether the top-10 features by |relevance| change order, and the bytes of an encoded Explanation. Prints
 * one line per model (the figures in docs/benchmarks.md, "float16 relevance").
 */
@Tag("long")
class Float16PrecisionTest {
    private static final Path DEMO = Path.of("src/main/resources/demo");
    private static final int TOP = 10;

    record Cost(int rows, double maxRowError, double medianRowError, double maxSumChange, double maxConservationChange,
            int topOrderChanged, int topSetChanged, int topOneChanged, double bytes32, double bytes16) {
        @Override
        public String toString() {
            return String.format("rows %d, max |r16-r32|/max|r32| %.3e (median %.3e), max |sum16-sum32|/|logit| "
                    + "%.3e, max conservation-error change %.3e, top-%d order changed in %d rows (set in %d, top-1 "
                    + "in %d), bytes per Explanation %.0f -> %.0f", rows, maxRowError, medianRowError, maxSumChange,
                    maxConservationChange, TOP, topOrderChanged, topSetChanged, topOneChanged, bytes32, bytes16);
        }
    }

    @Test
    void digitsAndBreastCancer() throws IOException {
        List<String> features = List.of(new ObjectMapper().readValue(DEMO.resolve("breast_cancer_features.json")
                .toFile(), String[].class));
        Cost digits = measure("digits", "epsilon-gamma-box(low=0,high=1)", List.of(), 64);
        Cost breastCancer = measure("breast_cancer", "epsilon", features, 30);
        System.out.println("float16 relevance, digits: " + digits);
        System.out.println("float16 relevance, breast_cancer: " + breastCancer);
        for (Cost cost : List.of(digits, breastCancer)) {
            assertTrue(cost.maxRowError() <= Math.scalb(1.0, -11) * 1.001, cost.toString());
            assertTrue(cost.maxRowError() > 0, "half precision loses something: " + cost);
        }
    }

    private Cost measure(String name, String composite, List<String> featureNames, int width) {
        Tensor rows = Npy.read(DEMO.resolve(name + "_holdout.npy")).tensor();
        Map<String, Explanation> float32 = explain(name, composite, featureNames, rows, RelevanceEncoding.FLOAT32);
        Map<String, Explanation> float16 = explain(name, composite, featureNames, rows, RelevanceEncoding.FLOAT16);
        assertEquals(rows.dim(0), float16.size());
        AvroSerde<Explanation> serde = new AvroSerde<>(Explanation.getClassSchema());
        double[] rowErrors = new double[rows.dim(0)];
        double maxSum = 0;
        double maxConservation = 0;
        int orderChanged = 0;
        int setChanged = 0;
        int topOneChanged = 0;
        long bytes32 = 0;
        long bytes16 = 0;
        for (int row = 0; row < rows.dim(0); row++) {
            Explanation full = float32.get(name + "-" + row);
            Explanation half = float16.get(name + "-" + row);
            double[] r32 = TensorCodec.values(full.getRelevance());
            double[] r16 = TensorCodec.values(half.getRelevance());
            assertEquals(width, r16.length);
            double largest = Arrays.stream(r32).map(Math::abs).max().orElseThrow();
            double error = 0;
            for (int i = 0; i < width; i++) {
                error = Math.max(error, Math.abs(r16[i] - r32[i]));
            }
            rowErrors[row] = largest == 0 ? 0 : error / largest;
            double sum32 = Arrays.stream(r32).sum();
            double sum16 = Arrays.stream(r16).sum();
            maxSum = Math.max(maxSum, Math.abs(sum16 - sum32) / Math.abs(full.getTargetLogit()));
            maxConservation = Math.max(maxConservation, Math.abs(
                    ConservationMath.relativeError(full.getTargetLogit(), sum16)
                            - ConservationMath.relativeError(full.getTargetLogit(), sum32)));
            List<Integer> top32 = top(r32);
            List<Integer> top16 = top(r16);
            orderChanged += top32.equals(top16) ? 0 : 1;
            setChanged += new HashSet<>(top32).equals(new HashSet<>(top16)) ? 0 : 1;
            topOneChanged += top32.get(0).equals(top16.get(0)) ? 0 : 1;
            int encoded32 = serde.encode(full).length;
            int encoded16 = serde.encode(half).length;
            assertTrue(encoded32 - encoded16 == 2 * width || encoded32 - encoded16 == 2 * width + 1,
                    "two bytes less per value (and maybe one of the length): " + encoded32 + " -> " + encoded16);
            bytes32 += encoded32;
            bytes16 += encoded16;
        }
        double[] sorted = rowErrors.clone();
        Arrays.sort(sorted);
        return new Cost(rows.dim(0), sorted[sorted.length - 1], sorted[sorted.length / 2], maxSum, maxConservation,
                orderChanged, setChanged, topOneChanged, (double) bytes32 / rows.dim(0),
                (double) bytes16 / rows.dim(0));
    }

    /** The indices of the {@link #TOP} largest |relevance|, earlier index first on ties (as the sidecar lists them). */
    private static List<Integer> top(double[] relevance) {
        return IntStream.range(0, relevance.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -Math.abs(relevance[i])).thenComparing(i -> i))
                .limit(TOP).toList();
    }

    private static Map<String, Explanation> explain(String name, String composite, List<String> featureNames,
            Tensor rows, RelevanceEncoding encoding) {
        ModelSettings settings = new ModelSettings(composite, TargetPolicy.PREDICTED, featureNames, 32,
                Duration.ofMillis(50), 0.5, 0.6, 1e-3, 1 << 16, TOP).withRelevanceEncoding(encoding);
        ModelRegistry registry = new ModelRegistry().add(new ServedModel(name, "1", "sha-" + name,
                ExplainableModel.prepare(io.lrpsidecar.graph.OnnxModelReader.read(readAll(DEMO.resolve(name
                        + ".onnx"))), true, Optional.of("input"), Optional.of("logits")), settings,
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), TopologyFixture.PARSER));
        try (TopologyFixture f = new TopologyFixture(registry, TopologySettings.defaults(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            for (int row = 0; row < rows.dim(0); row++) {
                f.send(PredictionEvent.newBuilder().setEventId(name + "-" + row).setModelName(name)
                        .setModelVersion("1").setEventTime(Instant.ofEpochMilli(999_000))
                        .setInput(TopologyFixture.row(rows, row)).setReportedClass(0).setAttributes(Map.of())
                        .build());
            }
            f.driver.advanceWallClockTime(Duration.ofSeconds(1));
            return f.explanations.readValuesToList().stream().collect(Collectors.toMap(
                    explanation -> explanation.getEventId().toString(), explanation -> explanation));
        }
    }

    private static byte[] readAll(Path path) {
        try {
            return java.nio.file.Files.readAllBytes(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
