package io.lrpsidecar.app.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.stream.Collectors;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of the REST endpoints as an {@link ApiError} JSON body: the API's own errors, malformed JSON bodies,
 * the framework's 404/405/406/415, stores that are not queryable yet, and anything unexpected (500, logged).
 */
public class ApiErrorMappers {
    private static final Logger LOG = Logger.getLogger(ApiErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return e.error().response();
    }

    @ServerExceptionMapper
    public Response storesNotReady(InvalidStateStoreException e) {
        return new ApiError(Response.Status.SERVICE_UNAVAILABLE.getStatusCode(), "stores-unavailable",
                "the explanation stores are not queryable right now (the stream is starting or rebalancing): "
                        + e.getMessage()).response();
    }

    /** A body Jackson could read but not bind to the expected type (wrong field type, bad timestamp, ...). */
    @ServerExceptionMapper(priority = 1)
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e).response();
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, UriInfo uri, HttpHeaders headers, Request request) {
        if (e.getCause() instanceof JacksonException json) {
            return malformedJson(json).response();
        }
        int status = e.getResponse().getStatus();
        String method = request.getMethod();
        String message;
        if (e instanceof NotFoundException) {
            message = "no endpoint at " + uri.getPath() + "; expected one of /explanations, /explanations/{eventId}, "
                    + "/explanations/{eventId}/heatmap.png, /explain, /replays, /replays/{id} (see /q/openapi)";
        } else if (e instanceof NotAllowedException) {
            message = "expected another method for " + uri.getPath() + " (OPTIONS " + uri.getPath() + " lists "
                    + "them in its Allow header), found " + method;
        } else if (e instanceof NotSupportedException) {
            message = "expected Content-Type application/json for " + method + " " + uri.getPath() + ", found "
                    + (headers.getMediaType() == null ? "none" : headers.getMediaType());
        } else if (e instanceof NotAcceptableException) {
            message = "expected an Accept header that allows what " + uri.getPath() + " answers, found "
                    + headers.getRequestHeader(HttpHeaders.ACCEPT);
        } else {
            message = e.getMessage();
        }
        return ApiError.of(status, message).response();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.errorf(e, "unexpected error answering %s", uri.getPath());
        return new ApiError(Response.Status.INTERNAL_SERVER_ERROR.getStatusCode(), "internal-error",
                "the request failed on the server (" + e.getClass().getSimpleName() + "); the log has the cause")
                .response();
    }

    private static ApiError malformedJson(JacksonException e) {
        StringBuilder message = new StringBuilder("expected a well-formed JSON body of the documented form, found: ")
                .append(e.getOriginalMessage());
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            message.append(" (at field ").append(mapping.getPath().stream().map(step -> step.getFieldName() != null
                    ? step.getFieldName() : "[" + step.getIndex() + "]").collect(Collectors.joining(".")))
                    .append(')');
        }
        JsonLocation where = e.getLocation();
        if (where != null && where.getLineNr() > 0) {
            message.append(" at line ").append(where.getLineNr()).append(", column ").append(where.getColumnNr());
        }
        return new ApiError(Response.Status.BAD_REQUEST.getStatusCode(), "malformed-json", message.toString());
    }
}
