package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --target}: a class choice, a contrast ({@code contrast:K}, {@code contrast:second}) or both joined by a
 * comma; every malformed value is one user error line naming what was expected and found. Run on the digits demo
 * model, a contrastive target writes {@code rel(t) - rel(K)}, says so in the summary and the ledger JSON, and warns
 * on standard error for rows whose target is the contrast class.
 */
class TargetOptionTest {
    private static final Path DEMO = Path.of("src", "main", "resources", "demo");
    private final CliLauncher launcher = new CliLauncher();

    @TempDir
    Path work;

    @Test
    void parsesAClassChoiceAContrastAndBoth() throws IOException {
        assertEquals(new Target.Predicted(), TargetOption.parse("predicted"));
        assertEquals(new Target.ClassIndex(7), TargetOption.parse("class:7"));
        assertEquals(new Target.Contrastive(new Target.Predicted(), new Contrast.Fixed(1)),
                TargetOption.parse("contrast:1"));
        assertEquals(new Target.Contrastive(new Target.ClassIndex(7), new Contrast.Fixed(1)),
                TargetOption.parse("class:7,contrast:1"));
        assertEquals(new Target.Contrastive(new Target.Predicted(), new Contrast.RunnerUp()),
                TargetOption.parse("predicted,contrast:second"));
        Path labels = work.resolve("labels.npy");
        Npy.write(labels, Tensor.ofLongs(new int[] {2}, new long[] {3, 8}), ElementType.INT64);
        Target fromLabels = TargetOption.parse("labels:" + labels + ",contrast:second");
        Target.Contrastive contrastive = (Target.Contrastive) fromLabels;
        assertArrayEquals(new long[] {3, 8}, ((Target.PerRow) contrastive.target()).labels());
        assertEquals(new Contrast.RunnerUp(), contrastive.against());
        assertEquals("label rather than the runner-up", TargetOption.describe(fromLabels));
        assertEquals("requested rather than class 1", TargetOption.describe(TargetOption.parse("class:7,contrast:1")));
        assertEquals("second", TargetOption.contrastOf(fromLabels));
        assertEquals("1", TargetOption.contrastOf(TargetOption.parse("contrast:1")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "contrast:x|expected contrast:K with a whole number K >= 0 or contrast:second, found 'x'",
        "contrast:-1|expected contrast:K with a whole number K >= 0 or contrast:second, found '-1'",
        "contrast:|expected contrast:K with a whole number K >= 0 or contrast:second, found ''",
        "class:seven,contrast:1|expected class:K with a whole number K >= 0, found 'seven'",
        "contrast:1,class:7|expected predicted, class:K or labels:FILE.npy, optionally followed by ,contrast:K",
        "class:7,contrast:1,contrast:2|expected predicted, class:K or labels:FILE.npy, optionally followed by",
        "class:7,class:1|expected predicted, class:K or labels:FILE.npy, optionally followed by",
        "best|expected predicted, class:K or labels:FILE.npy, optionally followed by"})
    void malformedTargetsAreUserErrors(String target, String expected) {
        UserInputException error = assertThrows(UserInputException.class, () -> TargetOption.parse(target));
        assertTrue(error.getMessage().startsWith("--target " + target + ": "), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    @Test
    void aContrastOutsideTheModelsClassesIsOneErrorLine() {
        CliLauncher.Result result = launcher.launch("explain", "--model", DEMO.resolve("digits.onnx").toString(),
                "--input", DEMO.resolve("digits_holdout.npy").toString(), "--target", "contrast:10");
        assertNotEquals(0, result.exitCode());
        assertEquals(List.of("lrp: contrast class 10 is out of range: the model has 10 classes (0..9)"),
                result.getErrorStream());
    }

    @Test
    void explainsWhyTheTargetRatherThanTheContrastClassOnTheDigits() throws IOException {
        Path input = work.resolve("rows.npy");
        Tensor holdout = Npy.read(DEMO.resolve("digits_holdout.npy")).tensor();
        int width = holdout.size() / holdout.dim(0);
        double[] rows = Arrays.copyOf(holdout.asDoubles(), 12 * width);
        Npy.write(input, Tensor.of(new int[] {12, 1, 8, 8}, rows), ElementType.FLOAT);
        for (String engine : new String[] {"reference", "compiled"}) {
            Path both = work.resolve(engine + "_contrast.npy");
            Path target = work.resolve(engine + "_target.npy");
            Path one = work.resolve(engine + "_one.npy");
            Path ledger = work.resolve(engine + "_ledger.json");
            CliLauncher.Result contrastive = explain(engine, input, "contrast:1", both, ledger);
            assertEquals(0, contrastive.exitCode(), contrastive.getErrorOutput());
            assertEquals(0, explain(engine, input, "predicted", target, null).exitCode());
            assertEquals(0, explain(engine, input, "class:1", one, null).exitCode());

            double[] difference = Npy.read(both).tensor().asDoubles();
            double[] forTarget = Npy.read(target).tensor().asDoubles();
            double[] forOne = Npy.read(one).tensor().asDoubles();
            double tolerance = engine.equals("reference") ? 1e-6 : 1e-5;
            for (int i = 0; i < difference.length; i++) {
                assertEquals(forTarget[i] - forOne[i], difference[i], tolerance, engine + " feature " + i);
            }
            JsonNode written = new ObjectMapper().readTree(ledger.toFile());
            assertEquals("1", written.get("contrast").asText());
            assertEquals("predicted rather than class 1", written.get("targetChosenBy").asText());
            int ones = 0;
            for (JsonNode row : written.get("rows")) {
                assertEquals(1, row.get("contrastClass").asInt());
                assertEquals(row.get("logit").asDouble() - row.get("contrastLogit").asDouble(),
                        row.get("initialRelevance").asDouble(), 1e-5);
                if (row.get("target").asInt() == 1) {
                    ones++;
                    assertTrue(contrastive.getErrorOutput().contains("warning: row " + row.get("row").asInt()
                            + ": the target 1 is also the contrast class, so its relevance is 0 by construction"),
                            contrastive.getErrorOutput());
                }
            }
            assertTrue(ones > 0, "the first 12 held-out digits include a predicted 1");
            assertEquals(ones, contrastive.getErrorStream().size(), contrastive.getErrorOutput());
            String summary = contrastive.getOutputStream().get(0);
            assertTrue(summary.matches("row 0: target \\d rather than 1 \\(predicted rather than class 1\\), logit "
                    + ".* - .* = .*, sum of relevance .*"), summary);
            assertFalse(contrastive.getOutput().contains("Exception"));
        }
    }

    private CliLauncher.Result explain(String engine, Path input, String target, Path output, Path ledger) {
        List<String> args = new ArrayList<>(List.of("explain", "--model",
                DEMO.resolve("digits.onnx").toString(), "--input", input.toString(), "--engine", engine, "--target",
                target, "--output", output.toString()));
        if (ledger != null) {
            args.addAll(List.of("--ledger", ledger.toString()));
        }
        return launcher.launch(args.toArray(String[]::new));
    }
}
