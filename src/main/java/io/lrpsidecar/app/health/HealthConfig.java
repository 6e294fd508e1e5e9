package io.lrpsidecar.app.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Health settings ({@code lrp.health.*}); docs/adr/0006-health-semantics.md explains them. */
@ConfigMapping(prefix = "lrp.health")
public interface HealthConfig {

    /** How long the stream may be out of RUNNING and REBALANCING (startup included) before readiness is DOWN. */
    @WithDefault("30s")
    Duration streamGrace();

    /** Pause between two broker probes. */
    @WithDefault("5s")
    Duration brokerProbeInterval();

    /** Longest wait of each call of a broker probe. */
    @WithDefault("2s")
    Duration brokerProbeTimeout();

    /** Stream threads replaced within one window before the next failure shuts the client down (death). */
    @WithDefault("3")
    int threadReplacements();

    /** The window of {@link #threadReplacements()}. */
    @WithDefault("10m")
    Duration threadReplacementWindow();

    /** The age after which a broker probe result no longer counts: two intervals and two calls. */
    default Duration brokerResultMaxAge() {
        return brokerProbeInterval().plus(brokerProbeTimeout()).multipliedBy(2);
    }
}
