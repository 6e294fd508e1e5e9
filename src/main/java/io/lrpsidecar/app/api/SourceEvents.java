package io.lrpsidecar.app.api;

import io.lrpsidecar.app.SidecarConfig;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ReleasedSchemas;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads back the prediction event an explanation came from, by the source position the explanation records (for
 * heatmaps over the input). Only the sidecar's own prediction topics are read.
 */
@ApplicationScoped
public class SourceEvents {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final AvroSerde<PredictionEvent> events = ReleasedSchemas.predictionEventSerde();
    private final Set<String> topics;
    private final KafkaClientConfigs clients;
    private KafkaConsumer<byte[], byte[]> consumer;

    public SourceEvents(SidecarConfig config, KafkaClientConfigs clients) {
        this.clients = clients;
        this.topics = Set.of(config.topics().predictions(), config.topics().predictionsReplay());
    }

    /** The event at {@code source}, or empty when it is no longer in the topic. */
    public synchronized Optional<PredictionEvent> at(SourcePosition source) {
        if (!topics.contains(source.getTopic())) {
            throw new ApiException(Response.Status.CONFLICT, "expected an explanation of an event from "
                    + topics + ", found one from '" + source.getTopic() + "': its input cannot be read back");
        }
        TopicPartition partition = new TopicPartition(source.getTopic(), source.getPartition());
        KafkaConsumer<byte[], byte[]> reader = consumer();
        reader.assign(List.of(partition));
        reader.seek(partition, source.getOffset());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                if (record.offset() == source.getOffset()) {
                    return Optional.of(decode(record.value()));
                }
                if (record.offset() > source.getOffset()) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private PredictionEvent decode(byte[] value) {
        try {
            return events.decode(value);
        } catch (IOException e) {
            throw new ApiException(Response.Status.CONFLICT, "the source event no longer decodes: "
                    + e.getMessage());
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(clients.consumer("lrp-source-events", Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1)),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        }
        return consumer;
    }

    @PreDestroy
    synchronized void close() {
        if (consumer != null) {
            consumer.close();
        }
    }
}
