package io.lrpsidecar.cli;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that say what to explain and how: model, composite, initialisation. */
public class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX classifier.")
    Path model;

    @Option(names = "--composite", paramLabel = "NAME|SPEC", defaultValue = "epsilon-plus-flat",
            description = "A built-in composite (${COMPLETION-CANDIDATES}) or a custom spec such as "
                    + "first=zbox(low=0,high=1);conv=gamma(0.25);dense=epsilon(1e-6). Default: ${DEFAULT-VALUE}.",
            completionCandidates = BuiltInComposites.class)
    String composite;

    @Option(names = "--init", paramLabel = "logit|onehot", defaultValue = "logit",
            description = "Initial relevance: one-hot x target logit (logit), or one-hot x 1 as zennit (onehot). "
                    + "Default: ${DEFAULT-VALUE}.")
    String init;

    ExplainableModel loadModel() {
        return ExplainableModel.load(model);
    }

    Composite parseComposite() {
        return new CompositeParser(file -> Npy.read(Path.of(file)).tensor()).parse(composite);
    }

    InitMode initMode() {
        return switch (init) {
            case "logit" -> InitMode.LOGIT;
            case "onehot" -> InitMode.ONEHOT;
            default -> throw new UserInputException("--init " + init + ": expected logit or onehot");
        };
    }

    /** The built-in composite names, for the help text. */
    static final class BuiltInComposites extends java.util.ArrayList<String> {
        BuiltInComposites() {
            super(CompositeParser.BUILT_INS);
        }
    }
}
