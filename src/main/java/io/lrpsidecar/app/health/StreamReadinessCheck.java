package io.lrpsidecar.app.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the Kafka Streams client is RUNNING or REBALANCING, or out of them for no longer than the grace. */
@Readiness
@ApplicationScoped
public class StreamReadinessCheck implements HealthCheck {
    private final StreamStateTracker tracker;
    private final HealthConfig config;

    public StreamReadinessCheck(StreamStateTracker tracker, HealthConfig config) {
        this.tracker = tracker;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return tracker.readiness(config.streamGrace()).response("kafka-streams");
    }
}
