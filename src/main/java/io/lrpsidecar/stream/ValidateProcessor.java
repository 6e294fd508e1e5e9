package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.PendingPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.SourcePosition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes each prediction record, routes it to its model by name and version, and validates it; what passes goes on
 * to batching as a {@link PendingPrediction} keyed by its model, everything else to the dead-letter topic with its
 * original bytes and the reason. Never throws on data.
 */
final class ValidateProcessor implements Processor<byte[], byte[], Object, Object> {
    private final ModelRegistry registry;
    private final AvroSerde<PredictionEvent> events;
    private final StreamMetrics metrics;
    private ProcessorContext<Object, Object> context;

    ValidateProcessor(ModelRegistry registry, AvroSerde<PredictionEvent> events, StreamMetrics metrics) {
        this.registry = registry;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        SourcePosition source = position();
        if (record.value() == null || record.value().length == 0) {
            deadLetter(record, source, new Rejection(FailedStage.DECODE, "empty-value",
                    "expected a single-object-encoded PredictionEvent, found no bytes"), "EmptyValue");
            return;
        }
        PredictionEvent event;
        try {
            event = events.decode(record.value());
        } catch (IOException | AvroRuntimeException | IllegalArgumentException | IndexOutOfBoundsException e) {
            deadLetter(record, source, new Rejection(FailedStage.DECODE, "undecodable",
                    "expected a single-object-encoded PredictionEvent: " + e.getMessage()),
                    e.getClass().getName());
            return;
        }
        metrics.received(event.getModelName(), event.getModelVersion());
        Optional<ServedModel> model = registry.find(event.getModelName(), event.getModelVersion());
        if (model.isEmpty()) {
            deadLetter(record, source, new Rejection(FailedStage.ROUTE, "unknown-model", "no model '"
                    + event.getModelName() + "' version '" + event.getModelVersion() + "' is served; served: "
                    + registry.all().stream().map(m -> m.name() + ":" + m.version()).toList()), "UnknownModel");
            return;
        }
        Optional<Rejection> rejection = EventValidator.check(event, model.get());
        if (rejection.isPresent()) {
            deadLetter(record, source, rejection.get(), "InvalidEvent");
            return;
        }
        PendingPrediction pending = PendingPrediction.newBuilder()
                .setSource(source)
                .setArrivalTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setRawKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setRawValue(ByteBuffer.wrap(record.value()))
                .setReplayId(ReplayHeader.of(record.headers()).orElse(null))
                .build();
        context.forward(new Record<>(BatchProcessor.modelPrefix(event.getModelName(), event.getModelVersion()),
                pending, record.timestamp(), record.headers()), ExplainTopology.BATCH);
    }

    private void deadLetter(Record<byte[], byte[]> record, SourcePosition source, Rejection rejection,
            String errorClass) {
        DeadLetter letter = DeadLetters.of(record.key(), record.value(), record.headers(), source, rejection,
                errorClass, context.currentSystemTimeMs());
        metrics.deadLettered(letter);
        context.forward(new Record<>(record.key(), letter, record.timestamp(),
                ReplayHeader.copy(record.headers())), ExplainTopology.DEAD_LETTERS);
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
