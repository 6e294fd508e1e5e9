package io.lrpsidecar.engine.rule;

/** A composite or rule spec that cannot be parsed or applied; the message says what was expected. */
public class CompositeSpecException extends IllegalArgumentException {
    public CompositeSpecException(String message) {
        super(message);
    }
}
