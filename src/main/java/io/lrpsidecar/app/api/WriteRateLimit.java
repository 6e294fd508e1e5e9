package io.lrpsidecar.app.api;

import io.lrpsidecar.app.SidecarConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * The rate limit of the write endpoints ({@code lrp.api.rate-limit.*}): one {@link RateLimiter} for both, and the
 * count of refusals, {@code lrp_api_rate_limited_total{endpoint}}, whose label is the endpoint ({@code explain} or
 * {@code replays}) and never a key or an address.
 */
@ApplicationScoped
public class WriteRateLimit {
    private final SidecarConfig.RateLimit settings;
    private final RateLimiter limiter;
    private final Counter explainRefused;
    private final Counter replaysRefused;

    public WriteRateLimit(SidecarConfig config, MeterRegistry meters) {
        this.settings = config.api().rateLimit();
        this.limiter = new RateLimiter(new RateLimiter.Limits(settings.requestsPerSecond(), settings.burst(),
                settings.maxTrackedClients()), System::nanoTime);
        this.explainRefused = counter(meters, "explain");
        this.replaysRefused = counter(meters, "replays");
    }

    private static Counter counter(MeterRegistry meters, String endpoint) {
        return Counter.builder("lrp.api.rate.limited")
                .description("Write requests refused with 429 because their API key (in demo mode: address) was "
                        + "over lrp.api.rate-limit")
                .tag("endpoint", endpoint).register(meters);
    }

    /**
     * Takes a token for {@code client} (a key digest or an address); when it has none, the 429 answer, with
     * Retry-After in whole seconds, counted under {@code replays} or {@code explain}.
     */
    public Optional<Response> refusal(String client, boolean replays) {
        RateLimiter.Decision decision = limiter.acquire(client);
        if (decision.allowed()) {
            return Optional.empty();
        }
        (replays ? replaysRefused : explainRefused).increment();
        long seconds = Math.max(1, (decision.retryAfter().toMillis() + 999) / 1000);
        Response error = new ApiError(Response.Status.TOO_MANY_REQUESTS.getStatusCode(), "rate-limited",
                "expected at most " + settings.requestsPerSecond() + " write requests per second, in bursts of at "
                        + "most " + settings.burst() + ", per API key (lrp.api.rate-limit), found more; retry in "
                        + seconds + " s").response();
        return Optional.of(Response.fromResponse(error).header(HttpHeaders.RETRY_AFTER, seconds).build());
    }
}
