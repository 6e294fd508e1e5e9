package io.lrpsidecar.app.api;

import io.lrpsidecar.app.SidecarConfig;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.ServedModel;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks every field of a {@link ReplayRequest} before anything is read or published; each refusal is a 400 with
 * reason {@code invalid-replay} (or {@code bad-composite}) naming the field, what was expected and what was found.
 * A composite (a name, spec or hash, read by {@link CompositeResolver}) is refused with the message
 * {@code POST /explain} gives for an event with that composite.
 *
 * <p>A replay names no model, so its composite is checked twice: before the selection is read it must parse for at
 * least one served model (a spec may be meant for one model only, such as {@code node:NAME} rules), and once the
 * selection is known it must parse for every served model the selected events name, so that a spec one of them
 * refuses is a 400 here instead of dead letters later. Events naming a model that is not served are left to the
 * stream, which dead-letters them as it does live ones.
 */
final class ReplayRequestValidator {
    /** The longest event id a replay may name. */
    static final int MAX_EVENT_ID_LENGTH = 256;
    /** The longest composite spec a replay may carry: the longest override a model reads. */
    static final int MAX_COMPOSITE_LENGTH = ModelSettings.OverridePolicy.MAX_SPEC_LENGTH;
    private final SidecarConfig.Topics topics;
    private final int maxEvents;
    private final ModelRegistry models;
    private final CompositeResolver composites;

    ReplayRequestValidator(SidecarConfig.Topics topics, int maxEvents, ModelRegistry models) {
        this.topics = topics;
        this.maxEvents = maxEvents;
        this.models = models;
        this.composites = new CompositeResolver(models);
    }

    /** Checks the request; returns the topic to read (the flagged topic unless another is named). */
    String check(ReplayRequest request) {
        if (request == null || !request.selectsSomething()) {
            throw invalid("expected a selection: from/to, eventIds, flag, or partition with fromOffset/toOffset; "
                    + "found none (a replay of a whole topic must be asked for with an explicit range)");
        }
        String topic = request.topic() == null ? topics.flagged() : request.topic();
        Set<String> allowed = new LinkedHashSet<>(List.of(topics.flagged(), topics.predictions(),
                topics.predictionsReplay()));
        if (!allowed.contains(topic)) {
            throw invalid("expected topic one of " + allowed + ", found '" + shorten(topic) + "'");
        }
        checkFlag(request.flag(), topic);
        checkRange(request);
        checkEventIds(request.eventIds());
        if (request.composite() != null) {
            checkCompositeForSomeModel(request.composite());
        }
        return topic;
    }

    private void checkFlag(String flag, String topic) {
        if (flag == null) {
            return;
        }
        if (Arrays.stream(Flag.values()).noneMatch(known -> known.name().equals(flag))) {
            throw invalid("expected flag one of " + Arrays.toString(Flag.values()) + ", found '" + shorten(flag)
                    + "'");
        }
        if (!topic.equals(topics.flagged())) {
            throw invalid("expected no flag for topic '" + topic + "': only " + topics.flagged()
                    + " records carry flags");
        }
    }

    private static void checkRange(ReplayRequest request) {
        if (request.partition() != null && request.partition() < 0) {
            throw invalid("expected partition to be 0 or more, found " + request.partition());
        }
        if (request.fromOffset() != null && request.fromOffset() < 0) {
            throw invalid("expected fromOffset to be 0 or more, found " + request.fromOffset());
        }
        if (request.toOffset() != null && request.toOffset() < 0) {
            throw invalid("expected toOffset to be 0 or more, found " + request.toOffset());
        }
        if (request.fromOffset() != null && request.toOffset() != null
                && request.fromOffset() > request.toOffset()) {
            throw invalid("expected fromOffset at most toOffset, found fromOffset " + request.fromOffset()
                    + " after toOffset " + request.toOffset());
        }
        if (request.from() != null && request.to() != null && request.from().isAfter(request.to())) {
            throw invalid("expected from at or before to, found from " + request.from() + " after to "
                    + request.to());
        }
    }

    private void checkEventIds(List<String> eventIds) {
        if (eventIds == null) {
            return;
        }
        if (eventIds.size() > maxEvents) {
            throw invalid("expected at most " + maxEvents + " eventIds (lrp.api.max-replay-events), found "
                    + eventIds.size());
        }
        for (int i = 0; i < eventIds.size(); i++) {
            String id = eventIds.get(i);
            if (id == null || id.isBlank() || id.length() > MAX_EVENT_ID_LENGTH) {
                throw invalid("expected eventIds[" + i + "] to be a non-blank id of at most " + MAX_EVENT_ID_LENGTH
                        + " characters, found " + (id == null ? "null" : id.isBlank() ? "a blank one"
                        : id.length() + " characters"));
            }
        }
    }

    private void checkCompositeForSomeModel(String composite) {
        if (composite.isBlank()) {
            throw CompositeResolver.refused("expected composite to be a name, spec or hash, found a blank one (leave "
                    + "it out for each model's default)");
        }
        if (composite.length() > MAX_COMPOSITE_LENGTH) {
            throw CompositeResolver.refused("expected a composite override of at most " + MAX_COMPOSITE_LENGTH
                    + " characters, found " + composite.length());
        }
        if (models.all().isEmpty()) {
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "no-model", "expected at least one served "
                    + "model to check composite '" + shorten(composite) + "' against, found none loaded");
        }
        Map<String, String> refusals = new LinkedHashMap<>();
        for (ServedModel model : models.all()) {
            Optional<String> refusal = composites.refusal(model, composite);
            if (refusal.isEmpty()) {
                return;
            }
            refusals.put(model.name() + ":" + model.version(), refusal.get());
        }
        Set<String> messages = new LinkedHashSet<>(refusals.values());
        throw CompositeResolver.refused(messages.size() == 1 ? messages.iterator().next()
                : "every served model refuses composite '" + shorten(composite) + "': " + refusals);
    }

    /**
     * Checks the composite against every served model the selected events name; returns the spec each of them
     * explains with (by {@code name:version}; a hash becomes its spec), empty when the request names none.
     */
    Map<String, String> checkCompositeFor(List<PredictionEvent> selection, String composite) {
        Map<String, String> specs = new LinkedHashMap<>();
        if (composite == null) {
            return specs;
        }
        for (PredictionEvent event : selection) {
            Optional<ServedModel> model = models.find(event.getModelName(), event.getModelVersion());
            String key = model.map(served -> served.name() + ":" + served.version()).orElse(null);
            if (model.isPresent() && !specs.containsKey(key)) {
                composites.refusal(model.get(), composite).ifPresent(refusal -> {
                    throw CompositeResolver.refused(refusal + " (model " + key + " of selected event '"
                            + event.getEventId() + "')");
                });
                specs.put(key, composites.specFor(model.get(), composite));
            }
        }
        return specs;
    }

    private static ApiException invalid(String message) {
        return new ApiException(Response.Status.BAD_REQUEST, "invalid-replay", message);
    }

    private static String shorten(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "... (" + text.length() + " characters)" : text;
    }
}
