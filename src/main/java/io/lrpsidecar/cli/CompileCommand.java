package io.lrpsidecar.cli;

import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lrp compile}: writes a standalone explainer model that any ONNX runtime can run. */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compile model + composite into one ONNX explainer model.",
                "Inputs: input [batch, ...] float32, target [batch] int64 (negative: the predicted class), "
                        + "contrast [batch] int64 (explain the target minus this class; -2: the runner-up, "
                        + "-1: no contrast).",
                "Outputs: logits, relevance (shape of input), ledger and ledger_out [batch, layers]; the layer "
                        + "names, op types and rules are in the model metadata (lrp.layers)."})
public class CompileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--output", required = true, paramLabel = "explainer.onnx",
            description = "Where to write the explainer model.")
    Path output;

    @Option(names = "--capture", split = ",", paramLabel = "VALUE",
            description = "Forward values to expose as extra outputs activation:VALUE (comma separated).")
    List<String> capture = List.of();

    @Override
    public Integer call() throws IOException {
        IoErrors.requireWritable(output, "--output");
        CompiledModel compiled = ExplainerCompiler.compile(modelOptions.loadModel(), modelOptions.parseComposite(),
                modelOptions.initMode(), capture);
        byte[] bytes = compiled.toOnnx();
        Files.write(output, bytes);
        spec.commandLine().getOut().printf("wrote %s: %d nodes, %d ledger layers, composite %s, init %s, %d bytes%n",
                output, compiled.graph().nodes().size(), compiled.layers().size(), compiled.composite(),
                modelOptions.init, bytes.length);
        return 0;
    }
}
