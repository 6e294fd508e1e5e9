package io.lrpsidecar.app.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Alive unless the Kafka Streams client is dead beyond recovery; missing topics and broker outages do not count. */
@Liveness
@ApplicationScoped
public class StreamLivenessCheck implements HealthCheck {
    private final StreamStateTracker tracker;

    public StreamLivenessCheck(StreamStateTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public HealthCheckResponse call() {
        return tracker.liveness().response("kafka-streams");
    }
}
