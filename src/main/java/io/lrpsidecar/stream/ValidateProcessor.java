package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.PendingPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.SourcePosition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Bounds, decodes, routes and validates each prediction record; what passes goes on to batching as a
 * {@link PendingPrediction} keyed by its model, everything else to the dead-letter topic with its original bytes and
 * the reason. A record above the size limit is dead-lettered before it is decoded. Never throws on data: any
 * throwable while handling one record becomes that record's dead letter, naming the stage it failed in.
 */
final class ValidateProcessor implements Processor<byte[], byte[], Object, Object> {
    private final ModelRegistry registry;
    private final AvroSerde<PredictionEvent> events;
    private final StreamMetrics metrics;
    private final DeadLetters deadLetters;
    private final int maxRecordBytes;
    private final String replayTopic;
    private ProcessorContext<Object, Object> context;
    /** The stage the record in hand has reached, named by its dead letter if something throws. */
    private FailedStage stage;

    ValidateProcessor(ModelRegistry registry, AvroSerde<PredictionEvent> events, StreamMetrics metrics,
            TopologySettings settings, String replayTopic) {
        this.replayTopic = replayTopic;
        this.registry = registry;
        this.events = events;
        this.metrics = metrics;
        this.deadLetters = new DeadLetters(settings.maxRecordBytes());
        // room for what the batching store adds when it keeps the record (changelog records obey the same limit)
        this.maxRecordBytes = settings.maxRecordBytes() - DeadLetters.FIXED_OVERHEAD_BYTES;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (DriftPinProcessor.isControl(record, context, replayTopic)) {
            return;
        }
        SourcePosition source = position();
        stage = FailedStage.DECODE;
        Verdict verdict;
        try {
            verdict = examine(record, source);
        } catch (Throwable e) {
            verdict = Verdict.refused(new Rejection(stage, "internal-error", "handling the record failed in stage "
                    + stage + ": " + e), e.getClass().getName());
        }
        if (verdict.routed() != null) {
            // batching may explain a whole batch, and handles its own failures event by event
            context.forward(new Record<>(verdict.routed().prefix(), verdict.routed().pending(), record.timestamp(),
                    record.headers()), ExplainTopology.BATCH);
        } else {
            deadLetter(record, source, verdict.rejection(), verdict.errorClass());
        }
    }

    /** What becomes of one record: batching, or a dead letter with the reason and the error class. */
    private record Verdict(Routed routed, Rejection rejection, String errorClass) {
        static Verdict refused(Rejection rejection, String errorClass) {
            return new Verdict(null, rejection, errorClass);
        }
    }

    /** Bounds, decodes, routes and validates; records in {@link #stage} how far it got. */
    private Verdict examine(Record<byte[], byte[]> record, SourcePosition source) {
        Optional<Rejection> refused = bounds(record).or(() -> replayHeader(record, source));
        if (refused.isPresent()) {
            return Verdict.refused(refused.get(), "RecordRefused");
        }
        PredictionEvent event;
        try {
            event = events.decode(record.value());
        } catch (IOException | RuntimeException e) {
            return Verdict.refused(new Rejection(FailedStage.DECODE, "undecodable",
                    "expected a single-object-encoded PredictionEvent: " + e.getMessage()), e.getClass().getName());
        }
        stage = FailedStage.ROUTE;
        Optional<ServedModel> model = registry.find(event.getModelName(), event.getModelVersion());
        metrics.received(model.map(ServedModel::name).orElse(StreamMetrics.UNKNOWN),
                model.map(ServedModel::version).orElse(StreamMetrics.UNKNOWN));
        if (model.isEmpty()) {
            return Verdict.refused(new Rejection(FailedStage.ROUTE, "unknown-model", "no model '"
                    + event.getModelName() + "' version '" + event.getModelVersion() + "' is served; served: "
                    + registry.all().stream().map(m -> m.name() + ":" + m.version()).toList()), "UnknownModel");
        }
        stage = FailedStage.VALIDATE;
        Optional<Rejection> rejection = EventValidator.check(event, model.get());
        if (rejection.isPresent()) {
            return Verdict.refused(rejection.get(), "InvalidEvent");
        }
        return new Verdict(new Routed(BatchProcessor.modelPrefix(event.getModelName(), event.getModelVersion()),
                PendingPrediction.newBuilder()
                        .setSource(source)
                        .setArrivalTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                        .setRawKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                        .setRawValue(ByteBuffer.wrap(record.value()))
                        .setReplayId(replayId(record, source))
                        .build()), null, null);
    }

    /** A validated event on its way to its model's batch. */
    private record Routed(String prefix, PendingPrediction pending) {
    }

    private Optional<Rejection> bounds(Record<byte[], byte[]> record) {
        if (record.value() == null || record.value().length == 0) {
            return Optional.of(new Rejection(FailedStage.DECODE, "empty-value",
                    "expected a single-object-encoded PredictionEvent, found no bytes"));
        }
        long size = record.value().length + (record.key() == null ? 0L : record.key().length);
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0L : header.value().length);
        }
        if (size > maxRecordBytes) {
            return Optional.of(new Rejection(FailedStage.DECODE, "record-too-large", "expected a record of at most "
                    + maxRecordBytes + " bytes (lrp.limits.max-record-bytes less "
                    + DeadLetters.FIXED_OVERHEAD_BYTES + " of overhead), found " + size));
        }
        return Optional.empty();
    }

    /**
     * The replay a record belongs to: its {@code lrp-replay-id} header, honoured on the replay topic only, so that a
     * live prediction cannot pass itself off as a replayed one.
     */
    private String replayId(Record<byte[], byte[]> record, SourcePosition source) {
        return source.getTopic().equals(replayTopic) ? ReplayHeader.of(record.headers()).orElse(null) : null;
    }

    private Optional<Rejection> replayHeader(Record<byte[], byte[]> record, SourcePosition source) {
        String replayId = replayId(record, source);
        if (replayId != null && (replayId.isEmpty() || replayId.length() > ReplayHeader.MAX_LENGTH)) {
            return Optional.of(new Rejection(FailedStage.DECODE, "bad-replay-id", "expected a replay id of 1 to "
                    + ReplayHeader.MAX_LENGTH + " characters, found " + replayId.length()));
        }
        return Optional.empty();
    }

    private void deadLetter(Record<byte[], byte[]> record, SourcePosition source, Rejection rejection,
            String errorClass) {
        String replayId = replayId(record, source);
        boolean keepReplayId = replayId != null && !replayId.isEmpty() && replayId.length() <= ReplayHeader.MAX_LENGTH;
        DeadLetters.Letter letter = deadLetters.of(record.key(), record.value(), record.headers(), source, rejection,
                errorClass, context.currentSystemTimeMs());
        metrics.deadLettered(letter.letter());
        context.forward(new Record<>(letter.kafkaKey(), letter.letter(), record.timestamp(),
                ReplayHeader.with(keepReplayId ? replayId : null)), ExplainTopology.DEAD_LETTERS);
    }

    private SourcePosition position() {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        return SourcePosition.newBuilder()
                .setTopic(metadata.map(RecordMetadata::topic).orElse(""))
                .setPartition(metadata.map(RecordMetadata::partition).orElse(-1))
                .setOffset(metadata.map(RecordMetadata::offset).orElse(-1L))
                .build();
    }
}
