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
    private final MeterRegistry registry;

    public StreamMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void received(String model, String version) {
        Counter.builder("lrp.events.received").description("Prediction events decoded")
                .tags("model", model, "version", version).register(registry).increment();
    }

    void deadLettered(DeadLetter letter) {
        Counter.builder("lrp.events.dead.lettered").description("Records sent to the dead-letter topic")
                .tags("stage", letter.getStage().name().toLowerCase(java.util.Locale.ROOT), "reason",
                        letter.getReason())
                .register(registry).increment();
    }

    void batch(String model, String version, String composite, int size, double computeMs) {
        DistributionSummary.builder("lrp.batch.size").description("Events per explained batch")
                .tags("model", model, "version", version).publishPercentileHistogram().register(registry)
                .record(size);
        Timer.builder("lrp.compute").description("Compute time of one batch")
                .tags("model", model, "version", version, "composite", composite).publishPercentileHistogram()
                .register(registry).record(Duration.ofNanos((long) (computeMs * 1e6)));
    }

    void explained(Explanation explanation, long nowMs, long eventTimeMs) {
        String model = explanation.getModelName();
        String version = explanation.getModelVersion();
        String composite = explanation.getCompositeHash();
        Counter.builder("lrp.events.explained").description("Events explained")
                .tags("model", model, "version", version, "composite", composite).register(registry).increment();
        Timer.builder("lrp.end.to.end.latency").description("From the prediction's event time to its explanation")
                .tags("model", model, "version", version).publishPercentileHistogram().register(registry)
                .record(Duration.ofMillis(Math.max(0, nowMs - eventTimeMs)));
        DistributionSummary.builder("lrp.conservation.error")
                .description("Relative conservation error of the input relevance")
                .tags("model", model, "version", version, "composite", composite).publishPercentileHistogram()
                .register(registry).record(finite(explanation.getConservationError()));
        for (LedgerLayer layer : explanation.getLedger()) {
            DistributionSummary.builder("lrp.layer.conservation.error")
                    .description("Relative conservation error of one layer")
                    .tags("model", model, "composite", composite, "layer", layer.getName())
                    .register(registry).record(finite(layer.getRelativeError()));
        }
        for (Flag flag : explanation.getFlags()) {
            Counter.builder("lrp.flags").description("Flags raised").tags("model", model, "version", version,
                    "flag", flag.name()).register(registry).increment();
        }
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : Double.MAX_VALUE;
    }
}
