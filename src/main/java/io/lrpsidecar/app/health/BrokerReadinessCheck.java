package io.lrpsidecar.app.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the last broker probe, recent enough, reached the broker; answers from that cached result. */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements HealthCheck {
    private final BrokerStatus status;

    public BrokerReadinessCheck(BrokerStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        return status.broker().response("kafka-broker");
    }
}
