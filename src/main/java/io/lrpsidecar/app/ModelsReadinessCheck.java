package io.lrpsidecar.app;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when every configured model loaded; a failed model is reported with its error. */
@Readiness
@ApplicationScoped
public class ModelsReadinessCheck implements HealthCheck {
    private final ModelLoader models;

    public ModelsReadinessCheck(ModelLoader models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("models")
                .status(models.failures().isEmpty());
        models.registry().all().forEach(model -> response.withData(model.name(), "loaded version "
                + model.version() + ", sha256 " + model.sha256()));
        models.failures().forEach((name, error) -> response.withData(name, "FAILED: " + error));
        return response.build();
    }
}
