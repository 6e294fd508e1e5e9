package io.lrpsidecar.app;

import io.lrpsidecar.drift.DriftSettings;
import io.lrpsidecar.stream.AttributionDrift;
import io.lrpsidecar.stream.ExplainTopology;
import io.lrpsidecar.stream.StreamMetrics;
import io.lrpsidecar.stream.StreamTopics;
import io.lrpsidecar.stream.TopologySettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/** Hands the explain topology to Quarkus' Kafka Streams extension, which runs it. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(SidecarConfig config, ModelLoader models, MeterRegistry meters, AttributionDrift drift) {
        StreamTopics topics = config.topics().streamTopics();
        return ExplainTopology.build(topics, models.registry(),
                new TopologySettings(config.punctuateInterval(), config.explainAttempts(), config.api().retention(),
                        maxRecordBytes(config, topics)),
                new StreamMetrics(meters), drift);
    }

    /**
     * The attribution profiles of this instance, kept by the topology and read by the profile endpoint; each model's
     * settings from {@code lrp.models.X.drift.*} (the demo models have the defaults).
     */
    @Produces
    @Singleton
    AttributionDrift attributionDrift(SidecarConfig config, ModelLoader models) {
        Map<String, DriftSettings> settings = new HashMap<>();
        config.models().forEach((name, model) -> settings.put(name, model.drift().settings()));
        return new AttributionDrift(models.registry(), settings);
    }

    /**
     * The configured record size limit, lowered to what the output topics accept; the embedded demo broker creates
     * them with the broker default, which admits the default limit.
     */
    private static int maxRecordBytes(SidecarConfig config, StreamTopics topics) {
        int configured = config.limits().maxRecordBytes();
        if (DemoMode.active()) {
            return configured;
        }
        return OutputTopicLimits.effectiveMaxRecordBytes(configured, DemoMode.bootstrapServers(), List.of(
                topics.explanations(), topics.metrics(), topics.flagged(), topics.deadLetters(),
                topics.explanationsReplay()));
    }
}
