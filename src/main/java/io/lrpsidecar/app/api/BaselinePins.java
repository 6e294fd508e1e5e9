package io.lrpsidecar.app.api;

import io.lrpsidecar.app.SidecarConfig;
import io.lrpsidecar.stream.AttributionDrift;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Pins a model's attribution baseline: one control record per partition of the replay input (key the model name,
 * header {@link AttributionDrift#PIN_HEADER} a fresh pin id), so that the task of every partition, on whatever
 * instance it runs, makes its current window the baseline inside its own transaction.
 */
@ApplicationScoped
public class BaselinePins {
    private final KafkaClientConfigs clients;
    private final String topic;
    private KafkaProducer<byte[], byte[]> producer;

    public BaselinePins(KafkaClientConfigs clients, SidecarConfig config) {
        this.clients = clients;
        this.topic = config.topics().predictionsReplay();
    }

    /** Publishes the pin records and waits for the broker to have them; the pin id and the partitions. */
    public synchronized Pin pin(String model) {
        String pinId = UUID.randomUUID().toString();
        byte[] key = model.getBytes(StandardCharsets.UTF_8);
        KafkaProducer<byte[], byte[]> sender = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            List<PartitionInfo> partitions = sender.partitionsFor(topic);
            for (PartitionInfo partition : partitions) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(AttributionDrift.PIN_HEADER, pinId.getBytes(StandardCharsets.UTF_8));
                sent.add(sender.send(new ProducerRecord<>(topic, partition.partition(), key, key, headers)));
            }
            sender.flush();
            for (Future<RecordMetadata> delivery : sent) {
                delivery.get();
            }
            return new Pin(pinId, partitions.size());
        } catch (ExecutionException | RuntimeException e) {
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "the baseline pin could not be published to "
                    + topic + ": " + (e instanceof ExecutionException ? e.getCause().getMessage() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "interrupted while publishing the pin");
        }
    }

    /**
     * A published pin.
     *
     * @param pinId      its id, the same in every partition's record
     * @param partitions how many partitions it was sent to
     */
    public record Pin(String pinId, int partitions) {
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = clients.reliableBytesProducer("lrp-baseline-pin-writer");
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
