package io.lrpsidecar.stream;

import java.util.Locale;

/** Which class a model's explanations are for when the event does not ask for one. */
public enum TargetPolicy {
    /** The sidecar's own argmax. */
    PREDICTED,
    /** The class production reported. */
    REPORTED,
    /** The ground-truth label when the event has one, else the sidecar's argmax. */
    LABEL;

    public static TargetPolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("target policy '" + text + "': expected predicted, reported or label");
        }
    }
}
