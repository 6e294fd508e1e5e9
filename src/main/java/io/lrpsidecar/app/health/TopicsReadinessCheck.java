package io.lrpsidecar.app.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the last broker probe found every input topic; names the missing ones otherwise. */
@Readiness
@ApplicationScoped
public class TopicsReadinessCheck implements HealthCheck {
    private final BrokerStatus status;

    public TopicsReadinessCheck(BrokerStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        return status.topics().response("kafka-topics");
    }
}
