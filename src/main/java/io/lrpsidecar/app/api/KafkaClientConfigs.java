package io.lrpsidecar.app.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

    /**
     * An idempotent producer of raw bytes that waits for every in-sync replica ({@code acks=all}), for the API's
     * writes to the stream's input topics (replay requests, baseline pins).
     */
    public KafkaProducer<byte[], byte[]> reliableBytesProducer(String clientId) {
        return new KafkaProducer<>(producer(clientId, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all")), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A producer, with {@code settings} on top. */
    public Map<String, Object> producer(String clientId, Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(streams.getProducerConfigs(clientId));
        config.putAll(settings);
        return config;
    }
}
