package io.lrpsidecar.app.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Connection settings for the plain Kafka clients of the API (replays, source-event lookups): those of the Kafka
 * Streams client, so that everything passed through to it ({@code kafka-streams.*}: SASL, SSL, timeouts) reaches
 * these clients as well, then the settings each use needs on top.
 */
@ApplicationScoped
public class KafkaClientConfigs {
    private final StreamsConfig streams;

    public KafkaClientConfigs(StreamsConfig streams) {
        this.streams = streams;
    }

    /** A consumer without a group (it assigns partitions itself), with {@code settings} on top. */
    public Map<String, Object> consumer(String clientId, Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(streams.getGlobalConsumerConfigs(clientId));
        config.putAll(settings);
        return config;
    }

    /** A producer, with {@code settings} on top. */
    public Map<String, Object> producer(String clientId, Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(streams.getProducerConfigs(clientId));
        config.putAll(settings);
        return config;
    }
}
