package io.lrpsidecar.cli;

import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;

/**
 * Parses {@code --target}: a class choice, a contrast, or both joined by a comma.
 * <ul>
 *   <li>class choice: {@code predicted} (default), {@code class:K} or {@code labels:L.npy};</li>
 *   <li>contrast: {@code contrast:K} or {@code contrast:second} (the runner-up), explaining why the chosen class
 *       rather than K: the relevance of the chosen class minus the relevance of K ({@link Target.Contrastive}).</li>
 * </ul>
 * Examples: {@code contrast:1}, {@code class:7,contrast:1}, {@code labels:L.npy,contrast:second}.
 */
final class TargetOption {
    private static final String CONTRAST = "contrast:";
    private static final String EXPECTED = "expected predicted, class:K or labels:FILE.npy, optionally followed by "
            + ",contrast:K or ,contrast:second (or contrast:K alone)";

    private TargetOption() {
    }

    static Target parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length > 2) {
            throw new UserInputException("--target " + text + ": " + EXPECTED);
        }
        if (parts.length == 1) {
            return parts[0].startsWith(CONTRAST) ? new Target.Contrastive(new Target.Predicted(),
                    contrast(text, parts[0])) : choice(text, parts[0]);
        }
        if (!parts[1].startsWith(CONTRAST)) {
            throw new UserInputException("--target " + text + ": " + EXPECTED);
        }
        return new Target.Contrastive(choice(text, parts[0]), contrast(text, parts[1]));
    }

    private static Target choice(String text, String part) {
        if (part.equals("predicted")) {
            return new Target.Predicted();
        }
        if (part.startsWith("class:")) {
            return new Target.ClassIndex(classIndex(text, part.substring("class:".length()), "class:K"));
        }
        if (part.startsWith("labels:") && part.length() > "labels:".length()) {
            return new Target.PerRow(Npy.read(Path.of(part.substring("labels:".length()))).tensor().asLongs());
        }
        throw new UserInputException("--target " + text + ": " + EXPECTED);
    }

    private static Contrast contrast(String text, String part) {
        String against = part.substring(CONTRAST.length());
        return against.equals("second") ? new Contrast.RunnerUp()
                : new Contrast.Fixed(classIndex(text, against, "contrast:K"));
    }

    private static int classIndex(String text, String digits, String form) {
        if (!digits.matches("[0-9]{1,9}")) {
            throw new UserInputException("--target " + text + ": expected " + form + " with a whole number K >= 0"
                    + (form.startsWith("contrast") ? " or contrast:second" : "") + ", found '" + digits + "'");
        }
        return Integer.parseInt(digits);
    }

    /**
     * How the target was chosen, for summaries: {@code predicted}, {@code requested} or {@code label}, followed for a
     * contrastive target by {@code  rather than K} or {@code  rather than the runner-up}.
     */
    static String describe(Target target) {
        if (target instanceof Target.Contrastive contrastive) {
            return describe(contrastive.target()) + " rather than " + describeContrast(contrastive.against());
        }
        if (target instanceof Target.ClassIndex) {
            return "requested";
        }
        return target instanceof Target.PerRow ? "label" : "predicted";
    }

    /** The contrast of a target, for the ledger JSON: the class index as text, {@code second}, or null. */
    static String contrastOf(Target target) {
        if (!(target instanceof Target.Contrastive contrastive)) {
            return null;
        }
        return contrastive.against() instanceof Contrast.Fixed fixed ? Integer.toString(fixed.classIndex())
                : "second";
    }

    private static String describeContrast(Contrast against) {
        return against instanceof Contrast.Fixed fixed ? "class " + fixed.classIndex() : "the runner-up";
    }
}
