package io.lrpsidecar.app.api;

import jakarta.ws.rs.core.Response;

/**
 * A request the API answers with an error status, a reason and a message saying what was expected and what was found
 * (as {@link ApiError}).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String reason;

    /** An error whose reason is the status's own ({@link ApiError#reasonOf}). */
    public ApiException(Response.Status status, String message) {
        this(status, ApiError.reasonOf(status.getStatusCode()), message);
    }

    public ApiException(Response.Status status, String reason, String message) {
        super(message);
        this.status = status.getStatusCode();
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** The error body of this exception. */
    public ApiError error() {
        return new ApiError(status, reason, getMessage());
    }
}
