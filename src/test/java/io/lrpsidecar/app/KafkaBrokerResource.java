package io.lrpsidecar.app;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.testing.TestBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * A real single-node KRaft Kafka broker in the test JVM (Kafka's {@code KafkaClusterTestKit}), with the sidecar's
 * topics created and a fresh Kafka Streams state directory; serves the two reference models.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {
    static final int PARTITIONS = 4;
    /** The API key the write endpoints of the test instance require. */
    static final String API_KEY = "test-api-key";
    private KafkaClusterTestKit cluster;

    @Override
    public Map<String, String> start() {
        try {
            cluster = TestBroker.start(TestBroker.TOPICS, PARTITIONS);
            Path stateDir = Files.createTempDirectory("lrp-streams-state");
            return Map.ofEntries(
                    Map.entry("kafka.bootstrap.servers", cluster.bootstrapServers()),
                    Map.entry("quarkus.kafka-streams.bootstrap-servers", cluster.bootstrapServers()),
                    Map.entry("quarkus.kafka.devservices.enabled", "false"),
                    Map.entry("kafka-streams.state.dir", stateDir.toString()),
                    Map.entry("kafka-streams.consumer.session.timeout.ms", "6000"),
                    Map.entry("lrp.models.digits.file", ReferenceCase.folder("cnn_digits").resolve("model.onnx")
                            .toString()),
                    Map.entry("lrp.models.digits.version", "1"),
                    Map.entry("lrp.models.digits.max-batch-size", "16"),
                    Map.entry("lrp.models.digits.max-wait", "50ms"),
                    Map.entry("lrp.models.breast_cancer.file", ReferenceCase.folder("mlp_tabular").resolve("model.onnx")
                            .toString()),
                    Map.entry("lrp.models.breast_cancer.version", "2"),
                    Map.entry("lrp.runtime.threads", "1"),
                    Map.entry("lrp.api.key", API_KEY));
        } catch (Exception e) {
            throw new IllegalStateException("the test Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("the test Kafka broker did not stop cleanly", e);
            }
        }
    }
}
