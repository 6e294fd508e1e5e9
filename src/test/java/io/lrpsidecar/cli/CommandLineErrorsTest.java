package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Mistakes on the command line end in one line that says what to do: file errors name the file and the reason, a
 * mistyped subcommand gets a suggestion, and {@code lrp tail} gives up on a broker that does not answer.
 */
class CommandLineErrorsTest {
    private static final Path DIGITS = ReferenceCase.folder("cnn_digits");
    private final CliLauncher launcher = new CliLauncher();

    @TempDir
    Path work;

    private static String oneErrorLine(CliLauncher.Result result, int exitCode) {
        assertEquals(exitCode, result.exitCode(), result.getErrorOutput());
        List<String> lines = result.getErrorStream();
        assertEquals(1, lines.size(), "one error line, found " + lines);
        assertTrue(lines.get(0).startsWith("lrp: "), lines.get(0));
        assertFalse(result.getErrorOutput().contains("Exception"), result.getErrorOutput());
        return lines.get(0);
    }

    @Test
    void anOutputInAMissingDirectoryNamesTheDirectory() {
        Path missing = work.resolve("missing");
        Path output = missing.resolve("r.npy");

        String line = oneErrorLine(launcher.launch("explain", "--model", DIGITS.resolve("model.onnx").toString(),
                "--input", DIGITS.resolve("input.npy").toString(), "--output", output.toString()),
                UserErrorHandler.BAD_INPUT);

        assertEquals("lrp: cannot write " + output + " (--output): directory " + missing + " does not exist", line);
        assertFalse(Files.exists(missing));
    }

    @Test
    void aLedgerOrExplainerThatCannotBeWrittenNamesTheReason() throws IOException {
        Path folderAsFile = Files.writeString(work.resolve("plain-file"), "not a folder");
        String ledger = oneErrorLine(launcher.launch("explain", "--model", DIGITS.resolve("model.onnx").toString(),
                "--input", DIGITS.resolve("input.npy").toString(), "--ledger",
                folderAsFile.resolve("ledger.json").toString()), UserErrorHandler.BAD_INPUT);
        assertTrue(ledger.endsWith("(--ledger): " + folderAsFile + " is not a directory"), ledger);

        String compile = oneErrorLine(launcher.launch("compile", "--model", DIGITS.resolve("model.onnx").toString(),
                "--output", work.toString()), UserErrorHandler.BAD_INPUT);
        assertEquals("lrp: cannot write " + work + " (--output): it is a directory", compile);
    }

    @Test
    void fileSystemErrorsRaisedWhileWorkingNameTheFileAndTheReason() {
        Path missing = work.resolve("gone");
        assertEquals("cannot access " + missing.resolve("x.npy") + ": directory " + missing + " does not exist",
                IoErrors.describe(new UncheckedIOException(new NoSuchFileException(missing.resolve("x.npy")
                        .toString()))));
        assertEquals("cannot access " + work.resolve("x.npy") + ": no such file",
                IoErrors.describe(new NoSuchFileException(work.resolve("x.npy").toString())));
        assertEquals("cannot access /etc/shadow: permission denied",
                IoErrors.describe(new AccessDeniedException("/etc/shadow")));
    }

    @Test
    void aMistypedSubcommandGetsADidYouMean() {
        String line = oneErrorLine(launcher.launch("explian", "--model", "m.onnx"), UserErrorHandler.BAD_USAGE);
        assertTrue(line.contains("'explian'") && line.contains("did you mean 'explain'"), line);

        String tail = oneErrorLine(launcher.launch("tial", "explanations"), UserErrorHandler.BAD_USAGE);
        assertTrue(tail.contains("did you mean 'tail'"), tail);

        String option = oneErrorLine(launcher.launch("explain", "--model", "m.onnx", "--input", "x.npy", "--ouptut",
                "r.npy"), UserErrorHandler.BAD_USAGE);
        assertTrue(option.contains("'--ouptut'") && option.contains("did you mean '--output'"), option);
    }

    @Test
    void suggestionsAreTheWordsWithinTwoEditsNearestFirst() {
        assertEquals(1, DidYouMean.edits("tial", "tail"));
        assertEquals(List.of("tail"), DidYouMean.nearest("tial", List.of("explain", "compile", "inspect", "tail",
                "replay")));
        assertEquals(List.of("replay", "delay"), DidYouMean.nearest("rpelay", List.of("delay", "replay", "tail")));
        assertEquals(List.of(), DidYouMean.nearest("frobnicate", List.of("explain", "tail")));
    }

    @Test
    void tailWaitsTenSecondsForABrokerUnlessTold() {
        TailCommand tail = new TailCommand();
        new CommandLine(tail).parseArgs("explanations");
        assertEquals(10, tail.connectTimeoutSeconds);
    }

    @Test
    void tailGivesUpOnAnUnreachableBrokerWithOneLine() throws IOException {
        String bootstrap = "127.0.0.1:" + freePort();
        long start = System.nanoTime();

        CliLauncher.Result result = launcher.launch("tail", "explanations", "--bootstrap", bootstrap,
                "--connect-timeout", "2");

        double seconds = (System.nanoTime() - start) / 1e9;
        String line = oneErrorLine(result, UserErrorHandler.BAD_INPUT);
        assertEquals("lrp: cannot reach a Kafka broker at " + bootstrap + " within 2 s (--connect-timeout); "
                + "expected a running broker there (--bootstrap)", line);
        assertEquals("", result.getOutput());
        assertTrue(seconds >= 1.9 && seconds < 15, "gave up after the timeout, took " + seconds + " s");
    }

    /** The launcher's own process: logging configured as {@code ./lrp} does it, so Kafka's warnings would show. */
    @Test
    void tailOnAnUnreachableBrokerPrintsNoKafkaWarningsInItsOwnProcess() throws Exception {
        String bootstrap = "127.0.0.1:" + freePort();
        Path err = work.resolve("stderr.txt");
        Path out = work.resolve("stdout.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LrpCommand.class.getName(), "tail", "explanations",
                "--bootstrap", bootstrap, "--connect-timeout", "3").redirectError(err.toFile())
                .redirectOutput(out.toFile()).start();

        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "lrp tail finished");
        assertEquals(UserErrorHandler.BAD_INPUT, process.exitValue(), Files.readString(err));
        assertEquals(List.of("lrp: cannot reach a Kafka broker at " + bootstrap + " within 3 s (--connect-timeout); "
                + "expected a running broker there (--bootstrap)"), Files.readAllLines(err));
        assertEquals("", Files.readString(out));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
