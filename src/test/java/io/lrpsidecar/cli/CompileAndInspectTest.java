package io.lrpsidecar.cli;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import io.lrpsidecar.testing.OrtEnvironments;
import ai.onnxruntime.OrtSession;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.ExecutionProvider;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrp compile} writes an explainer any ONNX Runtime can run; {@code lrp inspect} shows the rules. */
class CompileAndInspectTest {
    private final CliLauncher launcher = new CliLauncher();
    private static final Path DIGITS = ReferenceCase.folder("cnn_digits");

    @TempDir
    Path work;

    @Test
    void theCompiledExplainerRunsOnTheRawOnnxRuntimeApiLikeZennit() throws Exception {
        Path explainer = work.resolve("explainer.onnx");
        CliLauncher.Result result = launcher.launch("compile", "--model", DIGITS.resolve("model.onnx").toString(),
                "--composite", "epsilon-gamma-box(low=0,high=1)", "--init", "onehot", "--output",
                explainer.toString());
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertTrue(result.getOutput().startsWith("wrote "), result.getOutput());

        Tensor input = Npy.read(DIGITS.resolve("input.npy")).tensor();
        long[] labels = Npy.read(DIGITS.resolve("labels.npy")).tensor().asLongs();
        float[] values = new float[input.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) input.doubles()[i];
        }
        Engine.getEngine("OnnxRuntime");
        OrtEnvironment environment = OrtEnvironments.shared();
        try (OrtSession session = environment.createSession(explainer.toString(), new OrtSession.SessionOptions());
                OnnxTensor inputTensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(values),
                        Arrays.stream(input.shape()).asLongStream().toArray());
                OnnxTensor targetTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(labels),
                        new long[] {labels.length});
                OnnxTensor noContrast = OnnxTensor.createTensor(environment,
                        LongBuffer.wrap(noContrast(labels.length)), new long[] {labels.length});
                OrtSession.Result outputs = session.run(Map.of("input", inputTensor, "target", targetTensor,
                        "contrast", noContrast))) {
            float[] relevance = new float[input.size()];
            ((OnnxTensor) outputs.get("relevance").orElseThrow()).getFloatBuffer().get(relevance);
            double[] widened = new double[relevance.length];
            for (int i = 0; i < relevance.length; i++) {
                widened[i] = relevance[i];
            }
            assertRelativeL2(Tensor.of(input.shape(), widened),
                    Npy.read(DIGITS.resolve("rel_EpsilonGammaBox_true.npy")).tensor(), 1e-4, "raw ORT");
            float[][] ledger = (float[][]) outputs.get("ledger").orElseThrow().getValue();
            assertEquals(24, ledger.length);
            assertEquals(11, ledger[0].length);
            assertTrue(session.getMetadata().getCustomMetadata().get("lrp.layers").startsWith("/conv1/Conv\tConv\t"
                    + "zbox("));
        }
    }

    @Test
    void inspectListsEveryNodeWithItsRule() {
        CliLauncher.Result result = launcher.launch("inspect", "--model", DIGITS.resolve("model.onnx").toString(),
                "--composite", "epsilon-plus-flat");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        String output = result.getOutput();
        assertTrue(output.contains("input  'input' float [N, 1, 8, 8]"), output);
        assertTrue(output.contains("output 'logits' float [N, 10]"), output);
        assertTrue(output.matches("(?s).*/conv1/Conv\\s+Conv\\s+conv\\s+\\[1, 8, 8, 8\\]\\s+flat\\(stabilizer=1e-6\\).*"),
                output);
        assertTrue(output.matches("(?s).*/pool1/MaxPool\\s+MaxPool\\s+maxpool\\s+\\[1, 8, 4, 4\\]\\s+gradient.*"),
                output);
        assertTrue(output.matches("(?s).*/flatten/Flatten\\s+Flatten\\s+move\\s+\\[1, 64\\]\\s+gradient.*"), output);
    }

    @Test
    void inspectShowsWhatWasFusedAndTheRuleEachFusedNodeGets() {
        Path text = ReferenceCase.folder("text_transformer").resolve("model.onnx");
        CliLauncher.Result result = launcher.launch("inspect", "--model", text.toString(), "--composite", "attnlrp");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        String output = result.getOutput();
        assertTrue(output.contains("input  'input' int64 [N, 12]"), output);
        assertTrue(output.contains("fused LayerNorm: '/blocks.0/ln1/LayerNormalization' (LayerNormalization) replaces "
                + "9 nodes: /blocks.0/ln1/ReduceMean (ReduceMean)"), output);
        assertTrue(output.matches("(?s).*fused GeluErf: '[^']*' \\(Gelu\\) replaces 5 nodes: .*"), output);
        assertTrue(output.matches("(?s).*/blocks.0/ln1/LayerNormalization\\s+LayerNormalization\\s+layernorm\\s+"
                + "\\[1, 12, 32\\]\\s+layernorm\\(epsilon=1e-6\\).*"), output);
        assertTrue(output.matches("(?s).*/blocks.0/MatMul\\s+MatMul\\s+matmul\\s+\\[1, 2, 12, 12\\]\\s+"
                + "bilinear\\(epsilon=1e-8\\).*"), output);
        assertTrue(output.matches("(?s).*/blocks.0/Softmax\\s+Softmax\\s+softmax\\s+\\[1, 2, 12, 12\\]\\s+softmax.*"),
                output);
    }

    @Test
    void inspectSaysWhenTheBatchIsMergedWithAnotherAxis() throws Exception {
        Path folded = work.resolve("folded_heads.onnx");
        java.nio.file.Files.write(folded, io.lrpsidecar.graph.OnnxModelWriter.write(
                io.lrpsidecar.testing.RandomTransformers.build(new java.util.Random(1),
                        new io.lrpsidecar.testing.RandomTransformers.Options(false, 2, 1, true, true, true, true))
                        .graph()));
        String merged = "the batch is merged with another axis";

        CliLauncher.Result result = launcher.launch("inspect", "--model", folded.toString(), "--composite",
                "attnlrp");
        CliLauncher.Result plain = launcher.launch("inspect", "--model",
                ReferenceCase.folder("text_transformer").resolve("model.onnx").toString(), "--composite", "attnlrp");

        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertTrue(result.getOutput().contains(merged + " (as nn.MultiheadAttention folds the heads into it)"),
                result.getOutput());
        assertTrue(!plain.getOutput().contains(merged), plain.getOutput());
    }

    @Test
    void inspectNamesUnsupportedNodesInsteadOfFailing() throws Exception {
        Path model = work.resolve("unsupported.onnx");
        io.lrpsidecar.graph.Graph digits = io.lrpsidecar.graph.OnnxModelReader.read(DIGITS.resolve("model.onnx"));
        java.nio.file.Files.write(model, io.lrpsidecar.graph.OnnxModelWriter.write(digits.withNodes(
                digits.nodes().stream().map(node -> node.name().equals("/relu3/Relu")
                        ? new io.lrpsidecar.graph.Node(node.name(), "Erf", "", node.inputs(), node.outputs(),
                                node.attributes()) : node).toList())));
        CliLauncher.Result result = launcher.launch("inspect", "--model", model.toString());
        assertEquals(UserErrorHandler.BAD_INPUT, result.exitCode());
        assertTrue(result.getOutput().contains("unsupported (1):\n  '/relu3/Relu' (Erf)"), result.getOutput());
    }

    @Test
    void requiringTheGpuWithoutCudaFailsWithTheReason() {
        assumeTrue(ExecutionProvider.probeCuda() != null, "runs where CUDA cannot be used");
        CliLauncher.Result result = launcher.launch("explain", "--model", DIGITS.resolve("model.onnx").toString(),
                "--input", DIGITS.resolve("input.npy").toString(), "--device", "gpu");
        assertEquals(UserErrorHandler.BAD_INPUT, result.exitCode());
        assertTrue(result.getErrorOutput().contains("device=gpu was requested but CUDA cannot be used"),
                result.getErrorOutput());
    }

    private static long[] noContrast(int rows) {
        long[] none = new long[rows];
        Arrays.fill(none, -1);
        return none;
    }
}
