package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lrp evaluate} agrees with {@code src/test/python/faithfulness_check.py}, an independent numpy
 * re-implementation (its own forward pass of the demo models in float64, regions, orders, curves, AOPC/ABPC, random
 * control and bootstrap), within 1e-6 of the logit scale. Runs when {@code /usr/bin/python3} has numpy and onnx
 * (Debian's python3-numpy, python3-onnx), and must run when {@code LRP_REQUIRE_FAITHFULNESS_CHECK=1}
 * ({@code .ci/run} sets it).
 */
class EvaluateIndependentCheckTest {
    private static final Path DEMO = Path.of("src/main/resources/demo");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/faithfulness_check.py");

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of("digits, single pixels, zero baseline, labels", "digits", true,
                        List.of("--region", "1", "--baseline", "zero")),
                Arguments.of("digits, 2x2 cells, blur baseline, predicted", "digits", false,
                        List.of("--region", "2x2", "--baseline", "blur:1.0")),
                Arguments.of("breast_cancer, mean baseline, labels", "breast_cancer", true,
                        List.of("--baseline", "mean")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void evaluateAgreesWithThePythonReimplementation(String title, String model, boolean labels,
            List<String> options, @TempDir Path folder) throws Exception {
        requirePython();
        List<String> evaluated = evaluate(model, labels, options, folder);
        CliLauncher.Result check = python(check(model, labels, folder));
        assertEquals(0, check.exitCode(), check.output() + check.error());
        assertTrue(check.output().contains("agreed"), check.output());
        for (String source : evaluated) {
            assertTrue(check.output().contains(source), source + " not checked: " + check.output());
        }
    }

    @Test
    void theCheckCatchesAReportThatIsOff(@TempDir Path folder) throws Exception {
        requirePython();
        evaluate("breast_cancer", true, List.of(), folder);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode report = (ObjectNode) mapper.readTree(folder.resolve("report.json").toFile());
        ObjectNode abpc = (ObjectNode) report.get("sources").get(0).get("estimates").get("abpc");
        abpc.put("high", abpc.get("high").asDouble() + 1e-3);
        mapper.writeValue(folder.resolve("report.json").toFile(), report);
        CliLauncher.Result check = python(check("breast_cancer", true, folder));
        assertEquals(1, check.exitCode(), check.output() + check.error());
        assertTrue(check.output().contains("DIFFERS: ") && check.output().contains("abpc high"), check.output());
    }

    private static List<String> evaluate(String model, boolean labels, List<String> options, Path folder) {
        List<String> args = new ArrayList<>(List.of("evaluate", "--model", DEMO.resolve(model + ".onnx").toString(),
                "--input", DEMO.resolve(model + "_holdout.npy").toString(), "--rows", "96", "--threads", "1",
                "--composites", "epsilon-gamma-box(low=0,high=1),epsilon-plus-flat", "--output",
                folder.resolve("report.json").toString(), "--relevance-out", folder.toString()));
        if (labels) {
            args.addAll(List.of("--labels", DEMO.resolve(model + "_labels.npy").toString()));
        }
        args.addAll(options);
        CliLauncher.Result result = new CliLauncher().launch(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.error());
        return List.of("epsilon-gamma-box(low=0,high=1)", "epsilon-plus-flat", "gradient-x-input", "random");
    }

    private static List<String> check(String model, boolean labels, Path folder) {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString(), "--model",
                DEMO.resolve(model + ".onnx").toString(), "--input", DEMO.resolve(model + "_holdout.npy").toString(),
                "--report", folder.resolve("report.json").toString(), "--relevance-dir", folder.toString()));
        if (labels) {
            command.addAll(List.of("--labels", DEMO.resolve(model + "_labels.npy").toString()));
        }
        return command;
    }

    private static CliLauncher.Result python(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the Python check did not finish in 5 minutes");
        return new CliLauncher.Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    private static void requirePython() throws IOException, InterruptedException {
        boolean usable = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import numpy, onnx").redirectErrorStream(true).start().waitFor() == 0;
        if ("1".equals(System.getenv("LRP_REQUIRE_FAITHFULNESS_CHECK"))) {
            assertTrue(usable, "LRP_REQUIRE_FAITHFULNESS_CHECK=1 but /usr/bin/python3 cannot import numpy and onnx");
        }
        assumeTrue(usable, "the independent check needs /usr/bin/python3 with numpy and onnx "
                + "(apt-get install python3-numpy python3-onnx)");
    }
}
