package io.lrpsidecar.app.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The HTTP edge, on the Vert.x router that serves everything (the REST API, {@code /q/*} and the web view): before
 * any route, a request whose raw path could be read as another path is refused with 400 ({@link RawPathCheck}) and
 * a body announced larger than {@code quarkus.http.limits.max-body-size} with 413; after every route, a path nobody
 * serves gets 404; client errors the router itself raises get the same JSON body ({@link ApiError}) as the REST
 * endpoints' errors. Request lines that the HTTP decoder already refuses (a raw backslash, malformed
 * percent-encoding, characters not allowed in a URI) never reach the router: Vert.x answers them 400 with an empty
 * body, which Quarkus gives no hook to change.
 */
@ApplicationScoped
public class HttpEdge {
    private final Optional<MemorySize> maxBodySize;

    public HttpEdge(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::checkRequest);
        router.route().order(Integer.MIN_VALUE).failureHandler(HttpEdge::clientFailure);
        router.route().order(Integer.MAX_VALUE).handler(context -> answer(context, ApiError.of(
                Response.Status.NOT_FOUND.getStatusCode(), "nothing is served at " + context.request().path()
                        + "; the API is under /explanations, /explain and /replays (see /q/openapi)")));
    }

    private void checkRequest(RoutingContext context) {
        Optional<String> refusal = RawPathCheck.refusal(context.request().path());
        if (refusal.isPresent()) {
            answer(context, new ApiError(Response.Status.BAD_REQUEST.getStatusCode(), "path-traversal",
                    refusal.get()));
            return;
        }
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && maxBodySize.isPresent() && tooLarge(length, maxBodySize.get().asLongValue())) {
            answer(context, new ApiError(Response.Status.REQUEST_ENTITY_TOO_LARGE.getStatusCode(), "body-too-large",
                    "expected a request body of at most " + maxBodySize.get().asLongValue() + " bytes "
                            + "(quarkus.http.limits.max-body-size), found Content-Length " + length));
            return;
        }
        context.next();
    }

    private static boolean tooLarge(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.strip()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Client errors raised by the router (status 400 to 499, no answer started yet) as JSON; others go on. */
    private static void clientFailure(RoutingContext context) {
        int status = context.statusCode();
        if (status < 400 || status > 499 || context.response().headWritten()) {
            context.next();
            return;
        }
        String cause = context.failure() == null || context.failure().getMessage() == null ? ""
                : ": " + context.failure().getMessage();
        answer(context, ApiError.of(status, "the request was refused before reaching an endpoint ("
                + ApiError.reasonOf(status) + ")" + cause));
    }

    private static void answer(RoutingContext context, ApiError error) {
        context.response().setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject(error.body()).encode());
    }
}
