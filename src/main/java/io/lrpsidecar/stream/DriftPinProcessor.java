package io.lrpsidecar.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies pin control records (header {@link AttributionDrift#PIN_HEADER}, key the model name) read from the replay
 * input to this task's attribution profiles; every other record is left to validation. Control records on the live
 * input are ignored: only the service writes the replay input.
 */
final class DriftPinProcessor implements Processor<byte[], byte[], Void, Void> {
    private final DriftRecorder recorder;
    private final String controlTopic;
    private ProcessorContext<Void, Void> context;

    DriftPinProcessor(AttributionDrift drift, String controlTopic) {
        this.recorder = new DriftRecorder(drift);
        this.controlTopic = controlTopic;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        recorder.init(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (!isControl(record, context, controlTopic) || record.key() == null) {
            return;
        }
        String model = new String(record.key(), StandardCharsets.UTF_8);
        AttributionDrift.pinId(record.headers()).ifPresent(pinId -> recorder.pin(model, pinId,
                context.currentSystemTimeMs()));
    }

    /** Whether a record is a pin control record: it has the header and came from the control topic. */
    static boolean isControl(Record<byte[], byte[]> record, ProcessorContext<?, ?> context, String controlTopic) {
        return AttributionDrift.pinId(record.headers()).isPresent() && context.recordMetadata()
                .map(metadata -> metadata.topic().equals(controlTopic)).orElse(false);
    }

    @Override
    public void close() {
        recorder.close();
    }
}
