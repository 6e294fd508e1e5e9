package io.lrpsidecar.app.api;

import io.lrpsidecar.app.SidecarConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Applies the {@link WriteRateLimit} to the {@link WriteEndpoint}s per API key, after the key is checked
 * ({@link ApiKeyFilter} runs first, so only accepted keys get a bucket); in the open demo mode, where no key is
 * required, per client address. Over the limit: 429 with {@code Retry-After}.
 */
@Provider
@WriteEndpoint
@Priority(Priorities.AUTHORIZATION)
public class RateLimitFilter implements ContainerRequestFilter {
    private final Instance<SidecarConfig> config;
    private final Instance<WriteRateLimit> limit;
    private final Instance<HttpServerRequest> connection;

    public RateLimitFilter(Instance<SidecarConfig> config, Instance<WriteRateLimit> limit,
            Instance<HttpServerRequest> connection) {
        this.config = config;
        this.limit = limit;
        this.connection = connection;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        limit.get().refusal(client(request), request.getUriInfo().getPath().startsWith("/replays"))
                .ifPresent(request::abortWith);
    }

    /** Whom the request counts against: a digest of its API key (the key itself is not kept), or its address. */
    private String client(ContainerRequestContext request) {
        SidecarConfig.Api api = config.get().api();
        String key = api.key().filter(value -> !value.isBlank()).isPresent()
                ? request.getHeaderString(api.keyHeader()) : null;
        if (key != null) {
            return "key:" + sha256(key);
        }
        HttpServerRequest peer = connection.get();
        return "address:" + (peer.remoteAddress() == null ? "unknown" : peer.remoteAddress().hostAddress());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
