package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a decoded event against the model it names before it may wait for a batch: dtype, shape, byte length,
 * size limit, finite values, target and composite overrides. Every failure names what was expected and found.
 */
final class EventValidator {
    private EventValidator() {
    }

    static Optional<Rejection> check(PredictionEvent event, ServedModel model) {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            return reject("missing-event-id", "expected a non-empty eventId");
        }
        Tensor input = event.getInput();
        if (input.getDtype() != DataType.FLOAT32 && input.getDtype() != DataType.FLOAT64) {
            return reject("unsupported-dtype", "expected a FLOAT32 or FLOAT64 input, found " + input.getDtype());
        }
        List<Long> shape = input.getShape();
        List<Long> row = new ArrayList<>();
        model.rowShape().forEach(dim -> row.add((long) dim));
        List<Long> batched = new ArrayList<>(row);
        batched.add(0, 1L);
        if (!shape.equals(row) && !shape.equals(batched)) {
            return reject("shape-mismatch", "model " + model.name() + " expects input shape " + row + " (or "
                    + batched + "), found " + shape);
        }
        long elements = row.stream().reduce(1L, (a, b) -> a * b);
        long bytes = elements * TensorCodec.elementSize(input.getDtype());
        if (bytes > model.settings().maxInputBytes()) {
            return reject("too-large", "input of " + bytes + " bytes exceeds the limit of "
                    + model.settings().maxInputBytes());
        }
        if (input.getData().remaining() != bytes) {
            return reject("data-length-mismatch", "shape " + shape + " of " + input.getDtype() + " needs " + bytes
                    + " bytes, found " + input.getData().remaining());
        }
        double[] values = TensorCodec.values(input);
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return reject("non-finite", "input element " + i + " is " + values[i]);
            }
        }
        return checkOverrides(event, model);
    }

    private static Optional<Rejection> checkOverrides(PredictionEvent event, ServedModel model) {
        int classes = model.classes();
        Integer target = event.getTargetClass();
        if (target != null && (target < 0 || target >= classes)) {
            return reject("target-out-of-range", "target class " + target + " is outside 0.." + (classes - 1));
        }
        try {
            model.composite(event.getComposite());
        } catch (IllegalArgumentException e) {
            return reject("bad-composite", e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(String reason, String message) {
        return Optional.of(new Rejection(FailedStage.VALIDATE, reason, message));
    }
}
