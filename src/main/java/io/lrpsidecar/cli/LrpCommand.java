package io.lrpsidecar.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** The {@code lrp} command line: explains predictions of ONNX classifiers with Layer-wise Relevance Propagation. */
@TopCommand
@Command(name = "lrp", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Layer-wise Relevance Propagation for ONNX classifiers, with zennit's rule semantics.",
        subcommands = {ExplainCommand.class, CompileCommand.class, InspectCommand.class})
public class LrpCommand {
}
