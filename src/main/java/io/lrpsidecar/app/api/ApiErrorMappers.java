package io.lrpsidecar.app.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors as JSON bodies {@code {"status": ..., "error": "..."}}. */
public class ApiErrorMappers {

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("status", status, "error", message)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response storesNotReady(InvalidStateStoreException e) {
        return error(Response.Status.SERVICE_UNAVAILABLE.getStatusCode(),
                "the explanation stores are not queryable right now (the stream is starting or rebalancing): "
                        + e.getMessage());
    }
}
