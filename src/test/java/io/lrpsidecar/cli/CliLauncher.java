package io.lrpsidecar.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code lrp} commands in-process with captured stdout and stderr, as the launcher does. */
public final class CliLauncher {

    /**
     * What a command printed and returned.
     *
     * @param exitCode the exit code
     * @param output   what it printed on stdout
     * @param error    what it printed on stderr
     */
    public record Result(int exitCode, String output, String error) {
        public String getOutput() {
            return output;
        }

        public String getErrorOutput() {
            return error;
        }

        public List<String> getOutputStream() {
            return output.lines().toList();
        }

        public List<String> getErrorStream() {
            return error.lines().toList();
        }
    }

    public Result launch(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = LrpCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
