package io.lrpsidecar.cli;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrp explain} reproduces every stored zennit result and writes a consistent ledger. */
class ExplainCommandTest {
    private final CliLauncher launcher = new CliLauncher();
    @TempDir
    Path work;

    @Test
    void reproducesEveryZennitReference() {
        List<Executable> checks = new ArrayList<>();
        ReferenceCase.all().forEach(referenceCase -> {
            String target = referenceCase.targetKind().equals("pred") ? "predicted"
                    : "labels:" + referenceCase.labelsFile();
            for (String engine : new String[] {"reference", "compiled"}) {
                Path output = work.resolve(referenceCase.model() + "_" + referenceCase.composite() + "_"
                        + referenceCase.targetKind() + "_" + engine + ".npy");
                CliLauncher.Result result = launcher.launch("explain", "--model", referenceCase.modelFile().toString(),
                        "--input", referenceCase.inputFile().toString(), "--composite",
                        referenceCase.compositeSpec(work), "--target", target, "--init", "onehot", "--batch-size",
                        "7", "--quiet", "--engine", engine, "--output", output.toString());
                double tolerance = engine.equals("reference") ? 1e-5 : 1e-4;
                checks.add(() -> {
                    assertEquals(0, result.exitCode(), referenceCase + ": " + result.getErrorOutput());
                    assertRelativeL2(Npy.read(output).tensor(), referenceCase.expectedRelevance(), tolerance,
                            referenceCase + " " + engine);
                });
            }
        });
        assertEquals(2 * 38, checks.size());
        assertAll(checks);
    }

    @Test
    void reproducesEveryLxtReferenceFromTokenIdsAndFeatures() {
        List<Executable> checks = new ArrayList<>();
        ReferenceCase.transformers().forEach(referenceCase -> {
            String target = referenceCase.targetKind().equals("pred") ? "predicted"
                    : "labels:" + referenceCase.labelsFile();
            for (String engine : new String[] {"reference", "compiled"}) {
                Path output = work.resolve(referenceCase.model() + "_" + referenceCase.composite() + "_"
                        + referenceCase.targetKind() + "_" + engine + ".npy");
                CliLauncher.Result result = launcher.launch("explain", "--model",
                        referenceCase.modelFile().toString(), "--input", referenceCase.inputFile().toString(),
                        "--composite", referenceCase.compositeSpec(work), "--target", target, "--init", "onehot",
                        "--batch-size", "5", "--quiet", "--engine", engine, "--output", output.toString());
                double tolerance = engine.equals("reference") ? 1e-5 : 1e-4;
                checks.add(() -> {
                    assertEquals(0, result.exitCode(), referenceCase + " " + engine + ": " + result.getErrorOutput());
                    assertRelativeL2(Npy.read(output).tensor(), referenceCase.expectedRelevance(), tolerance,
                            referenceCase + " " + engine);
                });
            }
        });
        assertEquals(2 * 12, checks.size());
        assertAll(checks);
    }

    @Test
    void writesRelevanceInTheInputDtypeAndALedgerThatAddsUp() throws IOException {
        Path folder = ReferenceCase.folder("cnn_digits");
        Path output = work.resolve("relevance.npy");
        Path ledger = work.resolve("ledger.json");

        CliLauncher.Result result = launcher.launch("explain", "--model", folder.resolve("model.onnx").toString(),
                "--input", folder.resolve("input.npy").toString(), "--composite", "epsilon", "--engine", "reference",
                "--output", output.toString(), "--ledger", ledger.toString());

        assertEquals(0, result.exitCode(), result.getErrorOutput());
        NpyArray relevance = Npy.read(output);
        assertEquals(ElementType.FLOAT, relevance.dtype());
        List<String> lines = result.getOutputStream();
        assertEquals(24, lines.size(), "one summary line per row");
        assertTrue(lines.get(0).matches("row 0: target \\d \\(predicted\\), logit .*, sum of relevance .*, "
                + "conservation error .*"), lines.get(0));
        JsonNode root = new ObjectMapper().readTree(ledger.toFile());
        assertEquals("epsilon(epsilon=1e-6,stabilizer=1e-6)", root.get("composite").asText());
        JsonNode row = root.get("rows").get(3);
        assertEquals(row.get("logit").asDouble(), row.get("initialRelevance").asDouble(), 0.0);
        JsonNode layers = row.get("layers");
        assertEquals(11, layers.size(), "every node of the digits CNN, its zero Pad included");
        JsonNode head = layers.get(layers.size() - 1);
        assertEquals("/fc2/Gemm", head.get("name").asText());
        assertEquals(row.get("logit").asDouble(), head.get("relevanceIn").asDouble(), 1e-9);
        double inputSum = relevanceSumOfRow(relevance, 3);
        assertEquals(inputSum, row.get("relevanceSum").asDouble(), 1e-4 * Math.abs(inputSum));
        assertEquals(layers.get(0).get("relevanceOut").asDouble(), row.get("relevanceSum").asDouble(), 1e-9);
    }

    private static double relevanceSumOfRow(NpyArray relevance, int row) {
        double[] values = relevance.tensor().doubles();
        int width = values.length / relevance.tensor().dim(0);
        double sum = 0;
        for (int i = row * width; i < (row + 1) * width; i++) {
            sum += values[i];
        }
        return sum;
    }
}
