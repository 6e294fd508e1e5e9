package io.lrpsidecar.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code lrp} commands in-process with captured stdout and stderr, as the launcher does. */
final class CliLauncher {

    /**
     * What a command printed and returned.
     *
     * @param exitCode the exit code
     * @param output   what it printed on stdout
     * @param error    what it printed on stderr
     */
    record Result(int exitCode, String output, String error) {
        String getOutput() {
            return output;
        }

        String getErrorOutput() {
            return error;
        }

        List<String> getOutputStream() {
            return output.lines().toList();
        }

        List<String> getErrorStream() {
            return error.lines().toList();
        }
    }

    Result launch(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = LrpCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
