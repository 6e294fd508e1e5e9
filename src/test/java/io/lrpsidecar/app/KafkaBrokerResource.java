package io.lrpsidecar.app;

import io.lrpsidecar.ReferenceCase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka broker in the test JVM (Kafka's {@code KafkaClusterTestKit}), with the sidecar's
 * topics created and a fresh Kafka Streams state directory; serves the two reference models.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {
    static final int PARTITIONS = 4;
    private KafkaClusterTestKit cluster;

    @Override
    public Map<String, String> start() {
        try {
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                    .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers()))) {
                admin.createTopics(List.of("predictions", "explanations", "explanation-metrics",
                        "predictions-flagged", "predictions-dlq").stream()
                        .map(name -> new NewTopic(name, PARTITIONS, (short) 1)).toList()).all().get();
            }
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
                    Map.entry("lrp.models.credit.file", ReferenceCase.folder("mlp_tabular").resolve("model.onnx")
                            .toString()),
                    Map.entry("lrp.models.credit.version", "2"),
                    Map.entry("lrp.runtime.threads", "1"));
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
