package io.lrpsidecar.app.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The body of every error answer: {@code {"status": 400, "reason": "bad-parameter", "message": "expected ..."}}. The
 * reason is a short, stable, machine-readable word; the message says what was expected and what was found.
 *
 * @param status the HTTP status
 * @param reason what kind of error, such as {@code malformed-json}, {@code path-traversal} or {@code rate-limited}
 * @param message what was expected and what was found
 */
public record ApiError(int status, String reason, String message) {

    /** An error whose reason is the status's own, such as {@code not-found} for 404. */
    public static ApiError of(int status, String message) {
        return new ApiError(status, reasonOf(status), message);
    }

    /** The reason of a status without a more specific one: its reason phrase in lower case, words joined by '-'. */
    public static String reasonOf(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known == null ? "http-" + status : known.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    /** The JSON body, fields in a fixed order. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("reason", reason);
        body.put("message", message);
        return body;
    }

    /** The answer carrying this error as JSON. */
    public Response response() {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body()).build();
    }
}
