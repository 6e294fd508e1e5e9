package io.lrpsidecar.cli;

import io.lrpsidecar.engine.Target;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;

/** Parses {@code --target predicted|class:K|labels:L.npy}. */
final class TargetOption {
    private TargetOption() {
    }

    static Target parse(String text) {
        if (text.equals("predicted")) {
            return new Target.Predicted();
        }
        if (text.startsWith("class:")) {
            try {
                return new Target.ClassIndex(Integer.parseInt(text.substring("class:".length())));
            } catch (NumberFormatException e) {
                throw new UserInputException("--target " + text + ": expected class:K with a whole number K");
            }
        }
        if (text.startsWith("labels:")) {
            return new Target.PerRow(Npy.read(Path.of(text.substring("labels:".length()))).tensor().asLongs());
        }
        throw new UserInputException("--target " + text + ": expected predicted, class:K or labels:FILE.npy");
    }

    /** How the target was chosen, for summaries: {@code predicted}, {@code requested} or {@code label}. */
    static String describe(Target target) {
        if (target instanceof Target.ClassIndex) {
            return "requested";
        }
        return target instanceof Target.PerRow ? "label" : "predicted";
    }
}
