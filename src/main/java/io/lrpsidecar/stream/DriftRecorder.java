package io.lrpsidecar.stream;

import io.lrpsidecar.drift.AttributionProfile;
import io.lrpsidecar.drift.ProfileLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's writer of attribution profiles: contributions gathered while a batch is emitted go into the
 * {@link AttributionDrift#STORE store} in one write per model when the batch is done, and the task's share is
 * published to {@link AttributionDrift}. Nothing is kept between batches outside the store, so a pin applied by
 * another processor of the task is never overwritten.
 */
final class DriftRecorder {
    private final AttributionDrift drift;
    private final Map<String, List<double[]>> gathered = new LinkedHashMap<>();
    private KeyValueStore<String, byte[]> store;
    private int partition;

    DriftRecorder(AttributionDrift drift) {
        this.drift = drift;
    }

    /** Opens the task's store and publishes the shares restored in it. */
    void init(ProcessorContext<?, ?> context) {
        this.store = context.getStateStore(AttributionDrift.STORE);
        this.partition = context.taskId().partition();
        List<String> models = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> models.add(entry.key));
        }
        models.forEach(model -> load(model).ifPresent(profile -> drift.update(model, partition, profile.share())));
    }

    /** Gathers the contribution of one live explanation: its input relevance (C order) and, for tokens, the ids. */
    void gather(String model, double[] relevance, long[] tokens) {
        drift.layout(model).flatMap(layout -> layout.contribution(relevance, tokens))
                .ifPresent(contribution -> gathered.computeIfAbsent(model, name -> new ArrayList<>())
                        .add(contribution));
    }

    /** Writes what was gathered. */
    void commit() {
        gathered.forEach((model, contributions) -> {
            AttributionProfile profile = loadOrCreate(model);
            contributions.forEach(profile::add);
            save(model, profile);
        });
        gathered.clear();
    }

    /** Pins a served model's current window as its baseline, once per pin id. */
    void pin(String model, String pinId, long nowMs) {
        if (drift.layout(model).isEmpty()) {
            return;
        }
        AttributionProfile profile = loadOrCreate(model);
        if (profile.pin(pinId, nowMs)) {
            save(model, profile);
        }
    }

    /** The task leaves this instance: its shares are no longer served here. */
    void close() {
        drift.release(partition);
    }

    private java.util.Optional<AttributionProfile> load(String model) {
        byte[] stored = store.get(model);
        return drift.layout(model).flatMap(layout -> stored == null ? java.util.Optional.empty()
                : AttributionProfile.decode(stored, layout.cells(), drift.settings(model)));
    }

    private AttributionProfile loadOrCreate(String model) {
        ProfileLayout layout = drift.layout(model).orElseThrow();
        return load(model).orElseGet(() -> new AttributionProfile(layout.cells(), drift.settings(model)));
    }

    private void save(String model, AttributionProfile profile) {
        store.put(model, profile.encode());
        drift.update(model, partition, profile.share());
    }
}
