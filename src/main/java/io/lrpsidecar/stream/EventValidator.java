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
 * size limit, finite values (token ids inside the vocabulary for a token model), target and composite overrides.
 * Every failure names what was expected and found. A token model takes INT64 or INT32 ids and refuses floats; every
 * other model refuses integers. The byte length is checked against the shape before any value is read.
 */
final class EventValidator {
    private EventValidator() {
    }

    static Optional<Rejection> check(PredictionEvent event, ServedModel model) {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            return reject("missing-event-id", "expected a non-empty eventId");
        }
        Tensor input = event.getInput();
        boolean integer = input.getDtype() == DataType.INT32 || input.getDtype() == DataType.INT64;
        boolean tokens = model.model().tokenInput();
        if (tokens && !integer) {
            return reject("unsupported-dtype", "model " + model.name() + " takes token ids: expected an INT64 (or "
                    + "INT32) input, found " + input.getDtype());
        }
        if (!tokens && integer) {
            return reject("unsupported-dtype", "expected a FLOAT16, FLOAT32 or FLOAT64 input, found " + input.getDtype());
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
        Optional<Rejection> values = tokens ? checkTokenIds(input, model) : checkFinite(input);
        return values.isPresent() ? values : checkOverrides(event, model);
    }

    private static Optional<Rejection> checkFinite(Tensor input) {
        double[] values = TensorCodec.values(input);
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return reject("non-finite", "input element " + i + " is " + values[i]);
            }
        }
        return Optional.empty();
    }

    private static Optional<Rejection> checkTokenIds(Tensor input, ServedModel model) {
        long[] ids = TensorCodec.longs(input);
        int vocabulary = model.vocabularySize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabulary) {
                return reject("token-out-of-range", "input position " + i + " holds token id " + ids[i] + "; model "
                        + model.name() + " expects ids in [0, " + vocabulary + ")");
            }
        }
        return Optional.empty();
    }

    private static Optional<Rejection> checkOverrides(PredictionEvent event, ServedModel model) {
        int classes = model.classes();
        Integer target = event.getTargetClass();
        if (target != null && (target < 0 || target >= classes)) {
            return reject("target-out-of-range", "target class " + target + " is outside 0.." + (classes - 1));
        }
        Integer contrast = event.getContrastClass();
        if (contrast != null && (contrast < 0 || contrast >= classes)) {
            return reject("contrast-out-of-range", "contrast class " + contrast + " is outside 0.." + (classes - 1)
                    + ": model " + model.name() + " has " + classes + " classes");
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
