package io.lrpsidecar.cli;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.npy.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./lrp} launcher at the repository root runs the packaged application as a separate process: the
 * README's main job works, and errors reach a real stderr as one line with no stack trace.
 */
class LrpLauncherIT {
    private static final Path DIGITS = ReferenceCase.folder("cnn_digits");

    @TempDir
    Path work;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private Run lrp(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("./lrp"));
        command.addAll(Arrays.asList(args));
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "lrp finished");
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void explainsTheReferenceModelLikeZennit() throws Exception {
        Path output = work.resolve("relevance.npy");
        Run run = lrp("explain", "--model", DIGITS.resolve("model.onnx").toString(), "--input",
                DIGITS.resolve("input.npy").toString(), "--composite", "epsilon-alpha2-beta1-flat", "--init",
                "onehot", "--output", output.toString());

        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(24, run.stdout().lines().count());
        assertRelativeL2(Npy.read(output).tensor(),
                Npy.read(DIGITS.resolve("rel_EpsilonAlpha2Beta1Flat_pred.npy")).tensor(), 1e-5, "./lrp explain");
    }

    @Test
    void aTruncatedModelIsOneLineOnStderr() throws Exception {
        Path truncated = work.resolve("model.onnx");
        byte[] bytes = Files.readAllBytes(DIGITS.resolve("model.onnx"));
        Files.write(truncated, Arrays.copyOf(bytes, 700));

        Run run = lrp("explain", "--model", truncated.toString(), "--input", DIGITS.resolve("input.npy").toString());

        assertEquals(UserErrorHandler.BAD_INPUT, run.exitCode());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().startsWith("lrp: model.onnx: not a readable ONNX model"), run.stderr());
        assertFalse(run.stderr().contains("Exception"), run.stderr());
        assertEquals("", run.stdout());
    }
}
