package io.lrpsidecar.app;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Demo mode: no {@code kafka.bootstrap.servers} configured. The service then starts an embedded single-node broker
 * on {@link #BOOTSTRAP}, serves the bundled demo models unless models are configured, and runs the demo producer.
 */
public final class DemoMode {
    static final int BROKER_PORT = 29092;
    static final int CONTROLLER_PORT = 29093;
    static final String BOOTSTRAP = "127.0.0.1:" + BROKER_PORT;

    private DemoMode() {
    }

    public static boolean active() {
        return ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class).isEmpty();
    }

    /** The brokers the service talks to: the configured cluster, or the embedded broker. */
    public static String bootstrapServers() {
        return ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class)
                .orElse(BOOTSTRAP);
    }
}
