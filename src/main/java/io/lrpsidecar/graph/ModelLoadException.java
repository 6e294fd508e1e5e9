package io.lrpsidecar.graph;

/** A model that cannot be read or explained: malformed bytes, unsupported operators, inconsistent shapes. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
