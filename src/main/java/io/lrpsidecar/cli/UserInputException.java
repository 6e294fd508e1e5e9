package io.lrpsidecar.cli;

/** A command-line argument that is well-formed but does not fit (a bad target spec, a missing file). */
class UserInputException extends RuntimeException {
    UserInputException(String message) {
        super(message);
    }
}
