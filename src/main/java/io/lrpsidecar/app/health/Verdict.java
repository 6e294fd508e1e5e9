package io.lrpsidecar.app.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * What one health check found: up or down, the condition in words, since when it holds, and further named facts.
 *
 * @param up        whether the check passes
 * @param condition the condition that decides it, in words
 * @param since     when that condition began
 * @param details   further facts (such as the Kafka Streams state or the missing topics), in order
 */
public record Verdict(boolean up, String condition, Instant since, Map<String, String> details) {

    public Verdict {
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The check's answer, with {@code condition}, {@code since} and the details as data. */
    public HealthCheckResponse response(String name) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(name).status(up)
                .withData("condition", condition).withData("since", since.toString());
        details.forEach(response::withData);
        return response.build();
    }
}
