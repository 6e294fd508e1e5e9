package io.lrpsidecar.app.api;

import io.lrpsidecar.app.DemoMode;
import io.lrpsidecar.app.SidecarConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Requires the configured API key ({@code lrp.api.key}) in the configured header on {@link WriteEndpoint}s: missing
 * or wrong gives 401. Without a configured key, write endpoints are open only in the embedded demo mode, and closed
 * otherwise. Runs before the {@link RateLimitFilter}, so that only accepted keys get a bucket.
 */
@Provider
@WriteEndpoint
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);
    private final Instance<SidecarConfig> config;

    public ApiKeyFilter(Instance<SidecarConfig> config) {
        this.config = config;
    }

    private Optional<String> key() {
        return config.get().api().key().filter(value -> !value.isBlank());
    }

    void announce(@Observes StartupEvent event) {
        Optional<String> key = key();
        if (key.isEmpty() && DemoMode.active()) {
            LOG.warn("Demo mode: the write endpoints (POST /explain, POST /replays) are open without an API key. Set "
                    + "lrp.api.key (environment LRP_API_KEY) to require one.");
        } else if (key.isEmpty()) {
            LOG.warn("No API key is configured (lrp.api.key): the write endpoints refuse every request.");
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Optional<String> key = key();
        String header = config.get().api().keyHeader();
        if (key.isEmpty()) {
            if (!DemoMode.active()) {
                abort(request, "no API key is configured on this instance (lrp.api.key), so write endpoints are "
                        + "closed");
            }
            return;
        }
        String given = request.getHeaderString(header);
        if (given == null) {
            abort(request, "expected the API key in header " + header + ", found no such header");
        } else if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                key.get().getBytes(StandardCharsets.UTF_8))) {
            abort(request, "expected the API key in header " + header + ", found a different key");
        }
    }

    private static void abort(ContainerRequestContext request, String message) {
        request.abortWith(ApiError.of(Response.Status.UNAUTHORIZED.getStatusCode(), message).response());
    }
}
