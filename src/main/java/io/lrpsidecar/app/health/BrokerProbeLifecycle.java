package io.lrpsidecar.app.health;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs the {@link BrokerProbe} from startup to shutdown, with the Kafka Streams client's connection settings, over
 * the topics the extension waits for before it starts the stream ({@code quarkus.kafka-streams.topics}).
 */
@ApplicationScoped
public class BrokerProbeLifecycle {
    private final BrokerProbe probe;
    private final HealthConfig config;

    public BrokerProbeLifecycle(HealthConfig config, StreamsConfig streams, BrokerStatus status,
            @ConfigProperty(name = "quarkus.kafka-streams.topics") List<String> topics) {
        this.config = config;
        this.probe = new BrokerProbe(Admin.create(streams.getAdminConfigs("lrp-broker-probe")), topics,
                config.brokerProbeTimeout(), status);
    }

    void start(@Observes StartupEvent event) {
        probe.start(config.brokerProbeInterval());
    }

    @PreDestroy
    void stop() {
        probe.close();
    }
}
