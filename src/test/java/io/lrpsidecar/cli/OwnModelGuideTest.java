package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code lrp inspect} output that {@code docs/own-model.md} quotes is the real output on the PyTorch export of
 * {@code examples/export/export_pytorch.py}: on the committed export always, and on a fresh export when
 * {@code /usr/bin/python3} has torch and onnx.
 */
class OwnModelGuideTest {
    private static final Path GUIDE = Path.of("docs", "own-model.md");
    private static final Path COMMITTED_EXPORT = Path.of("src", "test", "resources", "own-model", "cnn.onnx");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String MARKER = "<!-- lrp inspect --model cnn.onnx";

    @TempDir
    Path work;

    /** The fenced block after the marker comment of the guide. */
    private static String quotedInspectOutput() throws IOException {
        List<String> lines = Files.readAllLines(GUIDE, StandardCharsets.UTF_8);
        int marker = -1;
        for (int i = 0; i < lines.size() && marker < 0; i++) {
            marker = lines.get(i).startsWith(MARKER) ? i : -1;
        }
        if (marker < 0 || !lines.get(marker + 1).startsWith("```")) {
            throw new AssertionError("expected " + GUIDE + " to quote the inspect output in a fenced block after '"
                    + MARKER + "', found " + (marker < 0 ? "no marker" : "'" + lines.get(marker + 1) + "'"));
        }
        StringBuilder block = new StringBuilder();
        for (int i = marker + 2; !lines.get(i).startsWith("```"); i++) {
            block.append(lines.get(i)).append('\n');
        }
        return block.toString();
    }

    private static String inspect(Path model) {
        CliLauncher.Result result = new CliLauncher().launch("inspect", "--model", model.toString());
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        return result.getOutput();
    }

    @Test
    void theGuideQuotesWhatInspectPrintsForTheCommittedExport() throws IOException {
        assertEquals(quotedInspectOutput(), inspect(COMMITTED_EXPORT));
    }

    @Test
    void theExportScriptWritesAModelInspectedAsTheGuideSays() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import torch, onnx")
                .start().waitFor() == 0, "the export script needs torch and onnx in " + PYTHON
                + " (Debian: python3-torch python3-onnx)");
        Path exported = work.resolve("cnn.onnx");
        Process export = new ProcessBuilder(PYTHON.toString(), Path.of("examples", "export", "export_pytorch.py")
                .toString(), "--output", exported.toString()).redirectErrorStream(true).start();
        assertEquals(true, export.waitFor(300, TimeUnit.SECONDS), "the export finishes within 300 s");
        String output = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, export.exitValue(), output);

        assertEquals(quotedInspectOutput(), inspect(exported));
    }
}
