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
 *   <li>{@code lrp.conservation.error} [lrp_conservation_error_ppb]: per event, by model and composite, in parts
 *   per billion;</li>
 *   <li>{@code lrp.layer.conservation.error} [lrp_layer_conservation_error_ppb]: per layer, in parts per
 *   billion;</li>
 *   <li>{@code lrp.faithfulness.abpc} [lrp_faithfulness_abpc]: the ABPC of each live event sampled for
 *   faithfulness, by model and composite (the default composite's hash, or {@value #OVERRIDE} for an event that
 *   asked for another), recorded as {@code (1 + ABPC) × 10⁶} ({@link #ABPC_OFFSET}, {@link #ABPC_SCALE}): Micrometer's
 *   histograms drop negative values and round up to whole numbers, so a query reads the ABPC back as
 *   {@code value / 1e6 - 1};</li>
 *   <li>{@code lrp.faithfulness.failures} [lrp_faithfulness_failures_total]: sampled batches whose faithfulness
 *   was not measured, by model and exception class;</li>
 *   <li>{@code lrp.attribution.drift} [lrp_attribution_drift]: gauge by model and measure, the drift of this
 *   instance's attribution profiles from their baseline: {@code ndcg} is {@code 1 - nDCG}, {@code jsd} the
 *   Jensen–Shannon divergence in bits (NaN until the baseline is fixed).</li>
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
     * Relative conservation errors are recorded in parts per billion: Micrometer's fixed-bucket histograms round every
     * recorded value up to a whole number before bucketing, which put every error below 1 into the {@code le=1}
     * bucket. In ppb the rounding is below 1e-9 and the buckets resolve 1e-7 to 10.
     */
    static final double PPB = 1e9;
    /** Bucket bounds in ppb: 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10. */
    private static final double[] ERROR_BUCKETS_PPB = {1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9,
        5e9, 1e10};

    private DistributionSummary errorSummary(String name, String description, String... tags) {
        return meter(t -> DistributionSummary.builder(name).description(description + ", in parts per billion")
                .baseUnit("ppb").tags(tags).serviceLevelObjectives(ERROR_BUCKETS_PPB).register(registry), name, tags);
    }

    private DistributionSummary summary(String name, String description, String... tags) {
        return meter(t -> DistributionSummary.builder(name).description(description).tags(tags)
                .publishPercentileHistogram().register(registry), name, tags);
    }

    private Timer timer(String name, String description, String... tags) {
        return meter(t -> Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
                .register(registry), name, tags);
    }

    /** The composite label of the faithfulness of an event that asked for a composite other than the default. */
    public static final String OVERRIDE = "override";
    /** Added to the ABPC before recording: the histogram takes no negative values. */
    public static final double ABPC_OFFSET = 1;
    /** The recorded unit: millionths, so that rounding up to whole units changes the ABPC by at most 1e-6. */
    public static final double ABPC_SCALE = 1e6;
    /**
     * Bucket bounds of the ABPC, before offset and scale: −0.5 to 1, finer near the usual 0 to 0.5 (Micrometer takes
     * only bounds above 0, so −1, recorded as 0, falls in the lowest bucket).
     */
    private static final double[] ABPC_BUCKETS = {-0.5, -0.25, -0.1, -0.05, 0, 0.025, 0.05, 0.075, 0.1, 0.15,
        0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1};

    void faithfulness(String model, String composite, double abpc) {
        abpcSummary(model, composite).record(abpcUnits(Math.max(-1, Math.min(1, abpc))));
    }

    private DistributionSummary abpcSummary(String model, String composite) {
        return meter(t -> DistributionSummary.builder("lrp.faithfulness.abpc").description("ABPC (area between the "
                + "LeRF and MoRF perturbation curves of the target's probability) of sampled live events, recorded "
                + "as (1 + ABPC) * 1e6").tags(t.toArray(String[]::new)).serviceLevelObjectives(Arrays.stream(
                        ABPC_BUCKETS).map(StreamMetrics::abpcUnits).toArray()).register(registry),
                "lrp.faithfulness.abpc", "model", model, "composite", composite);
    }

    /** An ABPC in the recorded unit. */
    static double abpcUnits(double abpc) {
        return Math.round((abpc + ABPC_OFFSET) * ABPC_SCALE);
    }

    void faithfulnessFailed(String model, Throwable cause) {
        counter("lrp.faithfulness.failures", "Sampled batches whose faithfulness was not measured (the "
                + "explanations went out without it)", "model", model, "error", cause.getClass().getSimpleName())
                .increment();
    }

    /** Measures of {@code lrp_attribution_drift}. */
    static final String NDCG = "ndcg";
    static final String JSD = "jsd";

    /** Registers the drift gauges of every served model: labels only from the configured model names. */
    void attributionDrift(AttributionDrift drift) {
        for (String model : drift.models()) {
            gauge(model, NDCG, () -> drift.local(model).map(share -> share.scores().ndcgDrift()).orElse(Double.NaN));
            gauge(model, JSD, () -> drift.local(model).map(share -> share.scores().jsd()).orElse(Double.NaN));
        }
    }

    private void gauge(String model, String measure, java.util.function.Supplier<Number> value) {
        meter(t -> io.micrometer.core.instrument.Gauge.builder("lrp.attribution.drift", value)
                .description("Drift of the attribution profile from its baseline: 1 - nDCG, or Jensen-Shannon "
                        + "divergence in bits").tags(t.toArray(String[]::new)).strongReference(true)
                .register(registry), "lrp.attribution.drift", "model", model, "measure", measure);
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
                model, "version", version, "composite", composite).record(ppb(explanation.getConservationError()));
        for (LedgerLayer layer : explanation.getLedger()) {
            errorSummary("lrp.layer.conservation.error", "Relative conservation error of one layer", "model",
                    model, "composite", composite, "layer", layer.getName()).record(ppb(layer.getRelativeError()));
        }
        for (Flag flag : explanation.getFlags()) {
            counter("lrp.flags", "Flags raised", "model", model, "version", version, "flag", flag.name())
                    .increment();
        }
    }

    /** A relative error in ppb; a non-finite one counts as the largest finite value (above every bucket). */
    private static double ppb(double relativeError) {
        return Double.isFinite(relativeError) ? Math.min(relativeError * PPB, Double.MAX_VALUE) : Double.MAX_VALUE;
    }
}
