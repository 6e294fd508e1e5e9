package io.lrpsidecar.app;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.testing.TestBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * A real broker in the test JVM on which none of the sidecar's topics exist, with the digits model and a quick
 * broker probe. The test gets an {@link AutoCloseable} field that stops the broker (once).
 */
public class BrokerWithoutTopicsResource implements QuarkusTestResourceLifecycleManager {
    private KafkaClusterTestKit cluster;
    private final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public Map<String, String> start() {
        try {
            cluster = TestBroker.start(List.of(), 1);
            return Map.ofEntries(
                    Map.entry("kafka.bootstrap.servers", cluster.bootstrapServers()),
                    Map.entry("quarkus.kafka-streams.bootstrap-servers", cluster.bootstrapServers()),
                    Map.entry("kafka-streams.state.dir", Files.createTempDirectory("lrp-streams-state").toString()),
                    Map.entry("lrp.models.digits.file", ReferenceCase.folder("cnn_digits").resolve("model.onnx")
                            .toString()),
                    Map.entry("lrp.runtime.threads", "1"),
                    Map.entry("lrp.api.key", KafkaBrokerResource.API_KEY),
                    Map.entry("lrp.health.broker-probe-interval", "500ms"),
                    Map.entry("lrp.health.broker-probe-timeout", "1s"));
        } catch (Exception e) {
            throw new IllegalStateException("the test Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        AutoCloseable stopBroker = this::stopBroker;
        injector.injectIntoFields(stopBroker, new TestInjector.MatchesType(AutoCloseable.class));
    }

    private void stopBroker() throws Exception {
        if (cluster != null && stopped.compareAndSet(false, true)) {
            cluster.close();
        }
    }

    @Override
    public void stop() {
        try {
            stopBroker();
        } catch (Exception e) {
            throw new IllegalStateException("the test Kafka broker did not stop cleanly", e);
        }
    }
}
