package io.lrpsidecar.testing;

import io.lrpsidecar.stream.ExplainTopology;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.StreamMetrics;
import io.lrpsidecar.stream.StreamTopics;
import io.lrpsidecar.stream.TopologySettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** A real single-node KRaft broker in the test JVM (Kafka's {@code KafkaClusterTestKit}), ready for transactions. */
public final class TestBroker {
    /** The sidecar's default topics. */
    public static final List<String> TOPICS = StreamTopics.defaults().all();

    private TestBroker() {
    }

    /** A read_committed consumer of one topic from its beginning, keys as strings, values as bytes. */
    public static KafkaConsumer<String, byte[]> readCommitted(String bootstrap, String topic, String group) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /**
     * An unstarted Kafka Streams instance of the explain topology: exactly-once, a fresh state directory, the given
     * commit interval and a short session timeout (quick rebalances when an instance stops).
     */
    public static KafkaStreams explainStreams(String applicationId, String bootstrap, ModelRegistry registry,
            int commitIntervalMs) throws IOException {
        return explainStreams(applicationId, bootstrap, registry, commitIntervalMs, Map.of());
    }

    /** As {@link #explainStreams(String, String, ModelRegistry, int)}, with further Kafka Streams settings. */
    public static KafkaStreams explainStreams(String applicationId, String bootstrap, ModelRegistry registry,
            int commitIntervalMs, Map<String, String> overrides) throws IOException {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(applicationId).toString());
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        properties.putAll(overrides);
        return new KafkaStreams(ExplainTopology.build(StreamTopics.defaults(), registry, TopologySettings.defaults(),
                new StreamMetrics(new SimpleMeterRegistry())), properties);
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
