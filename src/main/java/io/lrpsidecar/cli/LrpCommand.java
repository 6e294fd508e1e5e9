package io.lrpsidecar.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lrp} command line: explains predictions of ONNX classifiers with Layer-wise Relevance Propagation. */
@Command(name = "lrp", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Layer-wise Relevance Propagation for ONNX classifiers, with zennit's rule semantics.",
        subcommands = {ExplainCommand.class, CompileCommand.class, InspectCommand.class, TailCommand.class,
                ReplayCommand.class, EvaluateCommand.class, RecommendCommand.class})
public class LrpCommand {

    /**
     * The command line with its error handling: every user error ends in one line on stderr and a non-zero exit,
     * never a stack trace.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new LrpCommand())
                .setExecutionExceptionHandler(new UserErrorHandler())
                .setParameterExceptionHandler(UserErrorHandler::handleParameterError);
    }

    /** Entry point of {@code ./lrp}: a plain JVM process, so that a command starts none of the service's parts. */
    public static void main(String[] args) {
        CliLogging.configure();
        System.exit(commandLine().execute(args));
    }
}
