package io.lrpsidecar.app.api;

import io.lrpsidecar.app.DemoMode;
import io.lrpsidecar.app.SidecarConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

/**
 * Serves Swagger UI ({@code /q/swagger-ui}) only where it is wanted: {@code lrp.api.swagger-ui}, or when that is unset,
 * the embedded demo mode. Quarkus decides at build time whether the UI is in the application
 * ({@code quarkus.swagger-ui.always-include=true} puts it in every build, so that the same jar serves the demo);
 * this gate makes the choice when the service starts, answering 404 otherwise.
 */
@ApplicationScoped
public class SwaggerUiGate {
    /** Where Quarkus serves Swagger UI. */
    static final String PATH = "/q/swagger-ui";
    private final boolean served;

    public SwaggerUiGate(SidecarConfig config) {
        this.served = config.api().swaggerUi().orElseGet(DemoMode::active);
    }

    void install(@Observes Router router) {
        if (!served) {
            router.route(PATH + "*").order(Integer.MIN_VALUE + 1).handler(SwaggerUiGate::refuse);
        }
    }

    private static void refuse(RoutingContext context) {
        ApiError error = ApiError.of(Response.Status.NOT_FOUND.getStatusCode(), "Swagger UI is served only in the "
                + "demo mode or with lrp.api.swagger-ui=true; the OpenAPI document is at /q/openapi");
        context.response().setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject(error.body()).encode());
    }
}
