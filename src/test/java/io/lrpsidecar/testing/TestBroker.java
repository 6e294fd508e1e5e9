package io.lrpsidecar.testing;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real single-node KRaft broker in the test JVM (Kafka's {@code KafkaClusterTestKit}), ready for transactions. */
public final class TestBroker {
    /** The sidecar's default topics. */
    public static final List<String> TOPICS = List.of("predictions", "explanations", "explanation-metrics",
            "predictions-flagged", "predictions-dlq");

    private TestBroker() {
    }

    /** Starts the broker and creates {@code topics} with {@code partitions} partitions each. */
    public static KafkaClusterTestKit start(List<String> topics, int partitions) throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
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
            admin.createTopics(topics.stream().map(name -> new NewTopic(name, partitions, (short) 1)).toList())
                    .all().get();
        }
        return cluster;
    }
}
