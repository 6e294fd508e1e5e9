package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.LedgerLayer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The sidecar's Micrometer meters (Prometheus names in brackets), with bounded labels only: model, version,
 * composite hash, stage, reason, flag, layer.
 * <ul>
 *   <li>{@code lrp.events.received} [lrp_events_received_total]: decoded events by model;</li>
 *   <li>{@code lrp.events.explained} [lrp_events_explained_total]: by model and composite;</li>
 *   <li>{@code lrp.events.dead.lettered} [lrp_events_dead_lettered_total]: by stage and reason;</li>
 *   <li>{@code lrp.flags} [lrp_flags_total]: by model and flag;</li>
 *   <li>{@code lrp.end.to.end.latency} [lrp_end_to_end_latency_seconds]: event time to explanation;</li>
 *   <li>{@code lrp.compute} [lrp_compute_seconds]: compute time per batch;</li>
 *   <li>{@code lrp.batch.size} [lrp_batch_size]: events per batch;</li>
 *   <li>{@code lrp.conservation.error} [lrp_conservation_error]: per event, by model and composite;</li>
 *   <li>{@code lrp.layer.conservation.error} [lrp_layer_conservation_error]: per layer.</li>
 * </ul>
 */
public final class StreamMetrics {
    /** The model label of records that name no served model: labels come only from configuration. */
    public static final String UNKNOWN = "unknown";
    private final MeterRegistry registry;
    /** Meters by name and tags: registering looks up the registry's meter map, which costs on every event. */
    private final Map<List<String>, Object> meters = new ConcurrentHashMap<>();

    public StreamMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @SuppressWarnings("unchecked")
    private <T> T meter(Function<List<String>, T> factory, String name, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(Arrays.asList(tags));
        return (T) meters.computeIfAbsent(key, ignored -> factory.apply(Arrays.asList(tags)));
    }

    private Counter counter(String name, String description, String... tags) {
        return meter(t -> Counter.builder(name).description(description).tags(tags).register(registry), name,
                tags);
    }

    /**
     * Bucket bounds of relative conservation errors: they live far below 1, where Micrometer's default histogram of
     * a summary has no buckets.
     */
    private static final double[] ERROR_BUCKETS = {1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.5, 1, 2, 5,
        10};

    private DistributionSummary errorSummary(String name, String description, String... tags) {
        return meter(t -> DistributionSummary.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(ERROR_BUCKETS).register(registry), name, tags);
    }

    private DistributionSummary summary(String name, String description, String... tags) {
        return meter(t -> DistributionSummary.builder(name).description(description).tags(tags)
                .publishPercentileHistogram().register(registry), name, tags);
    }

    private Timer timer(String name, String description, String... tags) {
        return meter(t -> Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
                .register(registry), name, tags);
    }

    void received(String model, String version) {
        counter("lrp.events.received", "Prediction events decoded", "model", model, "version", version).increment();
    }

    void deadLettered(DeadLetter letter) {
        counter("lrp.events.dead.lettered", "Records sent to the dead-letter topic", "stage",
                letter.getStage().name().toLowerCase(java.util.Locale.ROOT), "reason", letter.getReason())
                .increment();
    }

    void batch(String model, String version, String composite, int size, double computeMs) {
        summary("lrp.batch.size", "Events per explained batch", "model", model, "version", version)
                .record(size);
        timer("lrp.compute", "Compute time of one batch", "model", model, "version", version, "composite",
                composite).record(Duration.ofNanos((long) (computeMs * 1e6)));
    }

    void explained(Explanation explanation, long nowMs, long eventTimeMs) {
        String model = explanation.getModelName();
        String version = explanation.getModelVersion();
        String composite = explanation.getCompositeHash();
        counter("lrp.events.explained", "Events explained", "model", model, "version", version, "composite",
                composite).increment();
        timer("lrp.end.to.end.latency", "From the prediction's event time to its explanation", "model", model,
                "version", version).record(Duration.ofMillis(Math.max(0, nowMs - eventTimeMs)));
        errorSummary("lrp.conservation.error", "Relative conservation error of the input relevance", "model",
                model, "version", version, "composite", composite).record(finite(explanation.getConservationError()));
        for (LedgerLayer layer : explanation.getLedger()) {
            errorSummary("lrp.layer.conservation.error", "Relative conservation error of one layer", "model",
                    model, "composite", composite, "layer", layer.getName()).record(finite(layer.getRelativeError()));
        }
        for (Flag flag : explanation.getFlags()) {
            counter("lrp.flags", "Flags raised", "model", model, "version", version, "flag", flag.name())
                    .increment();
        }
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : Double.MAX_VALUE;
    }
}
