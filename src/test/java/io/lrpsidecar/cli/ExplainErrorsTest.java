package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user error of {@code lrp explain} ends in one line naming the problem and a non-zero exit. */
class ExplainErrorsTest {
    private final CliLauncher launcher = new CliLauncher();
    private static final Path DIGITS = ReferenceCase.folder("cnn_digits");

    @TempDir
    Path work;

    private CliLauncher.Result explain(String... extra) {
        List<String> args = new ArrayList<>(List.of("explain"));
        args.addAll(Arrays.asList(extra));
        return launcher.launch(args.toArray(String[]::new));
    }

    private static void assertOneLineError(CliLauncher.Result result, String expectedFragment) {
        assertNotEquals(0, result.exitCode(), "exit code");
        List<String> lines = result.getErrorStream();
        assertEquals(1, lines.size(), "exactly one error line, found: " + lines);
        String line = lines.get(0);
        assertTrue(line.startsWith("lrp: "), line);
        assertTrue(line.contains(expectedFragment), "'" + line + "' should mention '" + expectedFragment + "'");
        assertFalse(line.contains("Exception") || result.getErrorOutput().contains("\tat "), "no stack trace");
    }

    @Test
    void truncatedModel() throws IOException {
        Path truncated = work.resolve("truncated.onnx");
        byte[] bytes = Files.readAllBytes(DIGITS.resolve("model.onnx"));
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 3));
        assertOneLineError(explain("--model", truncated.toString(), "--input",
                DIGITS.resolve("input.npy").toString()), "truncated.onnx: not a readable ONNX model");
    }

    @Test
    void missingModelFile() {
        assertOneLineError(explain("--model", work.resolve("absent.onnx").toString(), "--input",
                DIGITS.resolve("input.npy").toString()), "model file not found");
    }

    @Test
    void unsupportedOperatorsAreAllNamed() throws IOException {
        Graph digits = OnnxModelReader.read(DIGITS.resolve("model.onnx"));
        List<Node> nodes = new ArrayList<>();
        for (Node node : digits.nodes()) {
            nodes.add(switch (node.name()) {
                case "/relu1/Relu" -> new Node("/celu1/Celu", "Celu", "", node.inputs(), node.outputs(),
                        node.attributes());
                case "/relu3/Relu" -> new Node("/erf3/Erf", "Erf", "", node.inputs(), node.outputs(),
                        node.attributes());
                default -> node;
            });
        }
        Path model = work.resolve("unsupported.onnx");
        Files.write(model, OnnxModelWriter.write(digits.withNodes(nodes)));
        CliLauncher.Result result = explain("--model", model.toString(), "--input",
                DIGITS.resolve("input.npy").toString());
        assertOneLineError(result, "'/celu1/Celu' (Celu)");
        assertTrue(result.getErrorOutput().contains("'/erf3/Erf' (Erf)"), result.getErrorOutput());
        assertTrue(result.getErrorOutput().contains("Supported: Gemm"), result.getErrorOutput());
    }

    @Test
    void wrongInputShape() throws IOException {
        Path input = work.resolve("wrong.npy");
        Npy.write(input, Tensor.zeros(new int[] {2, 64}), io.lrpsidecar.graph.ElementType.FLOAT);
        assertOneLineError(explain("--model", DIGITS.resolve("model.onnx").toString(), "--input",
                input.toString()), "expected shape [batch, 1, 8, 8] with batch >= 1, found [2, 64]");
    }

    @Test
    void nanAndInfinityInTheInput() throws IOException {
        Tensor digits = Npy.read(DIGITS.resolve("input.npy")).tensor();
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            double[] values = digits.doubles().clone();
            values[64 * 5 + 10] = bad;
            Path input = work.resolve("bad.npy");
            Npy.write(input, Tensor.of(digits.shape(), values), io.lrpsidecar.graph.ElementType.FLOAT);
            assertOneLineError(explain("--model", DIGITS.resolve("model.onnx").toString(), "--input",
                    input.toString()), "input row 5 holds " + bad + " at element 10");
        }
    }

    @Test
    void targetOutOfRange() {
        assertOneLineError(explain("--model", DIGITS.resolve("model.onnx").toString(), "--input",
                DIGITS.resolve("input.npy").toString(), "--target", "class:10"),
                "target class 10 of row 0 is out of range: the model has 10 classes");
    }

    @Test
    void labelsOfTheWrongLength() throws IOException {
        Path labels = work.resolve("labels.npy");
        Npy.write(labels, Tensor.ofLongs(new int[] {3}, new long[] {1, 2, 3}), io.lrpsidecar.graph.ElementType.INT64);
        assertOneLineError(explain("--model", DIGITS.resolve("model.onnx").toString(), "--input",
                DIGITS.resolve("input.npy").toString(), "--target", "labels:" + labels),
                "expected one label per input row");
    }

    @Test
    void unknownComposite() {
        assertOneLineError(explain("--model", DIGITS.resolve("model.onnx").toString(), "--input",
                DIGITS.resolve("input.npy").toString(), "--composite", "epsilon-minus"),
                "unknown composite 'epsilon-minus'");
    }

    @Test
    void malformedCustomComposite() {
        assertOneLineError(explain("--model", DIGITS.resolve("model.onnx").toString(), "--input",
                DIGITS.resolve("input.npy").toString(), "--composite", "conv=gamma(0.25;dense=epsilon"),
                "expected a closing parenthesis");
    }

    @Test
    void missingRequiredOption() {
        CliLauncher.Result result = explain("--input", DIGITS.resolve("input.npy").toString());
        assertOneLineError(result, "Missing required option: '--model=M.onnx'");
        assertEquals(UserErrorHandler.BAD_USAGE, result.exitCode());
    }
}
