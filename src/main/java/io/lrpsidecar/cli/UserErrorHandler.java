package io.lrpsidecar.cli;

import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.npy.NpyFormatException;
import io.lrpsidecar.runtime.GpuUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one line on stderr: {@code lrp: <what is wrong>}. Exit code 2 for a bad command line, 1 for
 * bad input (model, arrays, composite, target), 3 for an internal error (set {@code LRP_DEBUG=1} for its trace).
 */
class UserErrorHandler implements IExecutionExceptionHandler {
    static final int BAD_INPUT = 1;
    static final int BAD_USAGE = 2;
    static final int INTERNAL_ERROR = 3;

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        if (isUserError(exception)) {
            commandLine.getErr().println("lrp: " + IoErrors.describe(exception));
            return BAD_INPUT;
        }
        commandLine.getErr().println("lrp: internal error: " + exception.getClass().getSimpleName() + ": "
                + exception.getMessage() + " (set LRP_DEBUG=1 for details)");
        if (System.getenv("LRP_DEBUG") != null) {
            exception.printStackTrace(commandLine.getErr());
        }
        return INTERNAL_ERROR;
    }

    static int handleParameterError(CommandLine.ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        String suggestion = "";
        if (exception instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> suggestions = DidYouMean.suggestions(unmatched);
            suggestion = suggestions.isEmpty() ? "" : "; did you mean " + suggestions.stream()
                    .map(candidate -> "'" + candidate + "'").collect(Collectors.joining(" or ")) + "?";
        }
        commandLine.getErr().println("lrp: " + exception.getMessage() + suggestion + " (see '"
                + commandLine.getCommandSpec().qualifiedName() + " --help')");
        return BAD_USAGE;
    }

    private static boolean isUserError(Exception exception) {
        return exception instanceof ModelLoadException || exception instanceof NpyFormatException
                || exception instanceof CompositeSpecException || exception instanceof Target.TargetException
                || exception instanceof UserInputException || exception instanceof IOException
                || exception instanceof UncheckedIOException || exception instanceof GpuUnavailableException;
    }
}
