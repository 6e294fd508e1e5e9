package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.ExplanationMetrics;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import java.nio.charset.StandardCharsets;

/**
 * Serialises the explain topology's outputs inside the processor, before anything is sent, so that a record that
 * fails to serialise or would exceed the record size limit becomes its event's dead letter instead of a send error
 * that stops the stream thread (the producer refuses records above {@code max.request.size}).
 */
final class OutputEncoder {
    /** Room for the Kafka framing of one record besides its key and value. */
    private static final int FRAMING_BYTES = 1024;

    private final AvroSerde<Explanation> explanations = new AvroSerde<>(Explanation.getClassSchema());
    private final AvroSerde<ExplanationMetrics> metrics = new AvroSerde<>(ExplanationMetrics.getClassSchema());
    private final AvroSerde<FlaggedPrediction> flagged = new AvroSerde<>(FlaggedPrediction.getClassSchema());
    private final int maxRecordBytes;

    OutputEncoder(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** One encoded output record and the sink it goes to. */
    record Output(String sink, String key, byte[] value) {
    }

    Output explanation(String sink, Explanation explanation) {
        return checked(sink, explanation.getEventId(), explanations.encode(explanation));
    }

    Output metrics(ExplanationMetrics figures) {
        return checked(ExplainTopology.METRICS, figures.getEventId(), metrics.encode(figures));
    }

    Output flagged(FlaggedPrediction prediction) {
        return checked(ExplainTopology.FLAGGED, prediction.getEvent().getEventId(), flagged.encode(prediction));
    }

    private Output checked(String sink, String key, byte[] value) {
        long size = (long) key.getBytes(StandardCharsets.UTF_8).length + value.length + FRAMING_BYTES;
        if (size > maxRecordBytes) {
            throw new OutputTooLargeException("expected each output record to take at most " + maxRecordBytes
                    + " bytes (lrp.limits.max-record-bytes), found " + size + " for the " + sink + " record");
        }
        return new Output(sink, key, value);
    }

    /** An output record above the record size limit. */
    static final class OutputTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutputTooLargeException(String message) {
            super(message);
        }
    }
}
