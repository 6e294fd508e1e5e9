package io.lrpsidecar.app.api;

import jakarta.ws.rs.core.Response;

/** A request the API answers with an error status and a message saying what was expected and what was found. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(Response.Status status, String message) {
        super(message);
        this.status = status.getStatusCode();
    }

    public int status() {
        return status;
    }
}
