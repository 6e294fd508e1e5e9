package io.lrpsidecar.npy;

/** A {@code .npy} file that cannot be read or does not hold what is needed; the message says what was expected. */
public class NpyFormatException extends RuntimeException {
    public NpyFormatException(String message) {
        super(message);
    }
}
