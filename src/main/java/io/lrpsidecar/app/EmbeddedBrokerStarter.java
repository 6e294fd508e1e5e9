package io.lrpsidecar.app;

import io.lrpsidecar.app.embedded.EmbeddedKafka;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Starts the embedded broker before anything else in demo mode, and stops it last. Its classes are only loaded in
 * that mode, so a production build without the broker jars runs as long as a cluster is configured.
 */
@ApplicationScoped
public class EmbeddedBrokerStarter {
    private static final Logger LOG = Logger.getLogger(EmbeddedBrokerStarter.class);

    private final SidecarConfig config;
    private AutoCloseable broker;

    public EmbeddedBrokerStarter(SidecarConfig config) {
        this.config = config;
    }

    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws Exception {
        if (!DemoMode.active()) {
            return;
        }
        String dataDir = config.embedded().dataDir();
        broker = EmbeddedKafka.start(Path.of(dataDir), DemoMode.BROKER_PORT, DemoMode.CONTROLLER_PORT,
                config.topics().streamTopics().all(), config.embedded().partitions());
        LOG.infof("Running on an embedded single-node Kafka broker at %s (demo mode, data in %s). To use a real "
                + "cluster, set kafka.bootstrap.servers (environment KAFKA_BOOTSTRAP_SERVERS=host:port).",
                DemoMode.BOOTSTRAP, dataDir);
    }

    void stop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) ShutdownEvent event) throws Exception {
        if (broker != null) {
            broker.close();
        }
    }
}
