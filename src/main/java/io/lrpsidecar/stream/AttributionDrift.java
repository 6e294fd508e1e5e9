package io.lrpsidecar.stream;

import io.lrpsidecar.drift.DriftSettings;
import io.lrpsidecar.drift.ProfileLayout;
import io.lrpsidecar.drift.ProfileShare;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The attribution profiles of this instance: per model (by name), its drift settings and profile layout, and the
 * shares of the input partitions whose tasks run here, as their processors last wrote them to the
 * {@link #STORE changelogged store}. The {@code lrp_attribution_drift} gauges and the profile endpoint read them here;
 * a task handed to another instance takes its share with it.
 * <p>
 * A baseline is pinned by a control record on the replay input (an internal topic the topology reads), one per
 * partition, with the model name as key and the {@link #PIN_HEADER} header holding the pin id: the task of that
 * partition applies it to its share inside its exactly-once transaction, once per pin id.
 */
public final class AttributionDrift {
    /** The changelogged store of the profiles, one value per model name in every task. */
    public static final String STORE = "attribution-profiles";
    /** The header of a pin control record; its value is the pin id. */
    public static final String PIN_HEADER = "lrp-drift-pin";
    private final ModelRegistry registry;
    private final Map<String, DriftSettings> settings;
    private final Map<String, ProfileLayout> layouts = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, ProfileShare>> shares = new ConcurrentHashMap<>();

    /**
     * @param settings drift settings by model name; a served model without an entry has {@link DriftSettings#DEFAULTS}
     */
    public AttributionDrift(ModelRegistry registry, Map<String, DriftSettings> settings) {
        this.registry = registry;
        this.settings = Map.copyOf(settings);
    }

    /** The names of the served models, each once. */
    public List<String> models() {
        return registry.all().stream().map(ServedModel::name).distinct().toList();
    }

    public DriftSettings settings(String model) {
        return settings.getOrDefault(model, DriftSettings.DEFAULTS);
    }

    /** The layout of a served model's profiles (of its first served version), if the model is served. */
    public Optional<ProfileLayout> layout(String model) {
        ProfileLayout known = layouts.get(model);
        if (known != null) {
            return Optional.of(known);
        }
        return registry.all().stream().filter(served -> served.name().equals(model)).findFirst()
                .map(served -> layouts.computeIfAbsent(model, name -> ProfileLayout.of(served.rowShape(),
                        served.model().tokenInput(), served.settings().featureNames(), settings(name))));
    }

    /** The shares of the partitions whose tasks run here. */
    public List<ProfileShare> localShares(String model) {
        return List.copyOf(shares.getOrDefault(model, Map.of()).values());
    }

    /** The local shares merged, if there is any. */
    public Optional<ProfileShare> local(String model) {
        return Optional.ofNullable(ProfileShare.merge(localShares(model)));
    }

    void update(String model, int partition, ProfileShare share) {
        shares.computeIfAbsent(model, name -> new ConcurrentHashMap<>()).put(partition, share);
    }

    void release(int partition) {
        shares.values().forEach(byPartition -> byPartition.remove(partition));
    }

    /** The pin id of a control record, if it is one. */
    static Optional<String> pinId(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(PIN_HEADER);
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }
}
