package io.lrpsidecar.app.api;

import io.lrpsidecar.app.ModelLoader;
import io.lrpsidecar.app.SidecarConfig;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ReleasedSchemas;
import io.lrpsidecar.stream.ReplayHeader;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Replays selected predictions: reads the selection from a predictions topic (by default the flagged one), publishes
 * each event, with the composite override if any, to the replay input with header {@code lrp-replay-id}, and counts
 * its results in the replay output and dead-letter topics ({@link ReplayTally}): the explanations it produced, with
 * their addresses, and its failures by reason.
 */
@ApplicationScoped
public class ReplayService {
    private static final Duration POLL = Duration.ofMillis(200);
    /** Longest a selection or a progress count may take to read its topics before the request fails (503). */
    private static final Duration READ_LIMIT = Duration.ofSeconds(30);
    private final SidecarConfig config;
    private final KafkaClientConfigs clients;
    private final ReplayRequestValidator validator;
    private final Map<String, Replay> replays = new ConcurrentHashMap<>();
    private final Map<String, ReplayTally> tallies = new ConcurrentHashMap<>();
    private final AvroSerde<PredictionEvent> events = ReleasedSchemas.predictionEventSerde();
    private final AvroSerde<FlaggedPrediction> flagged = ReleasedSchemas.flaggedPredictionSerde();
    private KafkaProducer<byte[], byte[]> producer;

    public ReplayService(SidecarConfig config, ModelLoader models, KafkaClientConfigs clients) {
        this.config = config;
        this.clients = clients;
        this.validator = new ReplayRequestValidator(config.topics(), config.api().maxReplayEvents(),
                models.registry());
    }

    /**
     * Progress of one replay: how many events it selected, explained and failed, whether every one has an outcome,
     * its failures by reason (the first event and message of each), and the explanations it produced, each with the
     * address of the replayed explanation.
     */
    @Schema(name = "ReplayProgress")
    public record Progress(String id, String topic, @Schema(nullable = true) String composite, int selected, long explained, long failed,
            boolean done, Instant startedAt, Map<String, ReplayFailures> failures,
            List<ReplayedExplanation> explanations) {
    }

    /** Checks the request ({@link ReplayRequestValidator}), reads its selection and publishes it. */
    public synchronized Replay start(ReplayRequest request) {
        String topic = validator.check(request);
        String id = UUID.randomUUID().toString();
        List<PredictionEvent> selection = select(topic, request);
        Map<String, String> specs = validator.checkCompositeFor(selection, request.composite());
        Map<TopicPartition, Long> outputStart = endOffsets(List.of(config.topics().explanationsReplay(),
                config.topics().deadLetters()));
        publish(id, selection, event -> specs.getOrDefault(event.getModelName() + ":" + event.getModelVersion(),
                request.composite()));
        Replay replay = new Replay(id, request, selection.size(), Instant.now());
        tallies.put(id, new ReplayTally(id, config.topics().explanationsReplay(), outputStart));
        replays.put(id, replay);
        return replay;
    }

    public Optional<Progress> progress(String id) {
        Replay replay = replays.get(id);
        if (replay == null) {
            return Optional.empty();
        }
        ReplayTally tally = tallies.get(id);
        synchronized (tally) {
            Map<TopicPartition, Long> start = tally.position();
            Map<TopicPartition, Long> end;
            try (KafkaConsumer<byte[], byte[]> reader = consumer()) {
                end = reader.endOffsets(start.keySet());
            }
            // counted only once every record up to the end is read, so that a read that times out counts nothing
            List<ConsumerRecord<byte[], byte[]>> ours = new ArrayList<>();
            read(start, end, "counting the results of replay " + id, record -> {
                if (tally.ours(record)) {
                    ours.add(record);
                }
            });
            ours.forEach(tally::count);
            tally.readUpTo(end);
            String topic = replay.request().topic() == null ? config.topics().flagged() : replay.request().topic();
            return Optional.of(new Progress(id, topic, replay.request().composite(), replay.selected(),
                    tally.explained(), tally.failed(), tally.explained() + tally.failed() >= replay.selected(),
                    replay.startedAt(), tally.failures(), tally.produced()));
        }
    }

    private List<PredictionEvent> select(String topic, ReplayRequest request) {
        List<PredictionEvent> selection = new ArrayList<>();
        int limit = config.api().maxReplayEvents();
        Map<TopicPartition, Long> start;
        Map<TopicPartition, Long> stop = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> reader = consumer()) {
            List<TopicPartition> partitions = reader.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .filter(partition -> request.partition() == null || partition.partition() == request.partition())
                    .toList();
            if (partitions.isEmpty()) {
                throw new ApiException(Response.Status.BAD_REQUEST, "invalid-replay", "expected partition "
                        + request.partition() + " to exist in '" + topic + "', found none");
            }
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            start = startOffsets(reader, partitions, request);
            partitions.forEach(partition -> stop.put(partition, request.toOffset() == null ? end.get(partition)
                    : Math.min(end.get(partition), request.toOffset() + 1)));
        }
        read(start, stop, "reading the selection from '" + topic + "'", record -> {
            matching(record, request, topic).ifPresent(selection::add);
            if (selection.size() > limit) {
                throw new ApiException(Response.Status.BAD_REQUEST, "invalid-replay", "expected at most " + limit
                        + " events in one replay (lrp.api.max-replay-events), found more: narrow the selection");
            }
        });
        return selection;
    }

    /**
     * Hands {@code each} every record from {@code start} (inclusive) to {@code stop} (exclusive) per partition,
     * failing with 503 when the brokers do not deliver them within {@link #READ_LIMIT}.
     */
    private void read(Map<TopicPartition, Long> start, Map<TopicPartition, Long> stop, String what,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Long> remaining = new HashMap<>(stop);
        remaining.entrySet().removeIf(entry -> entry.getValue() <= start.get(entry.getKey()));
        if (remaining.isEmpty()) {
            return;
        }
        try (KafkaConsumer<byte[], byte[]> reader = consumer()) {
            reader.assign(remaining.keySet());
            remaining.keySet().forEach(partition -> reader.seek(partition, start.get(partition)));
            long deadline = System.nanoTime() + READ_LIMIT.toNanos();
            while (!remaining.isEmpty()) {
                checkDeadline(deadline, what);
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(POLL)) {
                    Long end = remaining.get(new TopicPartition(record.topic(), record.partition()));
                    if (end != null && record.offset() < end) {
                        each.accept(record);
                    }
                }
                remaining.keySet().removeIf(partition -> reader.position(partition) >= remaining.get(partition));
            }
        }
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "expected " + what + " to take at most "
                    + READ_LIMIT.toSeconds() + " s, but the brokers did not deliver the records in time");
        }
    }

    private Map<TopicPartition, Long> startOffsets(KafkaConsumer<byte[], byte[]> reader,
            List<TopicPartition> partitions, ReplayRequest request) {
        Map<TopicPartition, Long> beginning = reader.beginningOffsets(partitions);
        Map<TopicPartition, Long> start = new HashMap<>(beginning);
        if (request.from() != null) {
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(partition -> times.put(partition, request.from().toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found = reader.offsetsForTimes(times);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            partitions.forEach(partition -> start.put(partition, found.get(partition) == null ? end.get(partition)
                    : found.get(partition).offset()));
        }
        if (request.fromOffset() != null) {
            partitions.forEach(partition -> start.put(partition, Math.max(start.get(partition),
                    request.fromOffset())));
        }
        return start;
    }

    private Optional<PredictionEvent> matching(ConsumerRecord<byte[], byte[]> record, ReplayRequest request,
            String topic) {
        if (request.to() != null && record.timestamp() > request.to().toEpochMilli()) {
            return Optional.empty();
        }
        PredictionEvent event;
        try {
            if (topic.equals(config.topics().flagged())) {
                FlaggedPrediction prediction = flagged.decode(record.value());
                if (request.flag() != null && prediction.getFlags().stream().noneMatch(flag ->
                        flag.name().equals(request.flag()))) {
                    return Optional.empty();
                }
                event = prediction.getEvent();
            } else {
                event = events.decode(record.value());
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (request.eventIds() != null && !request.eventIds().isEmpty()
                && !request.eventIds().contains(event.getEventId())) {
            return Optional.empty();
        }
        return Optional.of(event);
    }

    /** Publishes the selection to the replay input, each event with the composite {@code compositeOf} gives it. */
    private void publish(String id, List<PredictionEvent> selection,
            Function<PredictionEvent, String> compositeOf) {
        KafkaProducer<byte[], byte[]> sender = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            for (PredictionEvent event : selection) {
                String composite = compositeOf.apply(event);
                if (composite != null) {
                    event.setComposite(composite);
                }
                sent.add(sender.send(new ProducerRecord<>(config.topics().predictionsReplay(), null,
                        event.getEventId().getBytes(StandardCharsets.UTF_8), events.encode(event),
                        ReplayHeader.with(id))));
            }
            sender.flush();
            for (Future<RecordMetadata> delivery : sent) {
                delivery.get();
            }
        } catch (ExecutionException e) {
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "the replay could not be published: "
                    + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "interrupted while publishing the replay");
        }
    }

    private Map<TopicPartition, Long> endOffsets(List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> reader = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(topic -> reader.partitionsFor(topic).forEach(info ->
                    partitions.add(new TopicPartition(topic, info.partition()))));
            return reader.endOffsets(partitions);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(clients.consumer("lrp-replay-reader", Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = clients.reliableBytesProducer("lrp-replay-writer");
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
