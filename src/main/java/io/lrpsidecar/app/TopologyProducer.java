package io.lrpsidecar.app;

import io.lrpsidecar.stream.ExplainTopology;
import io.lrpsidecar.stream.StreamMetrics;
import io.lrpsidecar.stream.StreamTopics;
import io.lrpsidecar.stream.TopologySettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.List;
import org.apache.kafka.streams.Topology;

/** Hands the explain topology to Quarkus' Kafka Streams extension, which runs it. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(SidecarConfig config, ModelLoader models, MeterRegistry meters) {
        StreamTopics topics = config.topics().streamTopics();
        return ExplainTopology.build(topics, models.registry(),
                new TopologySettings(config.punctuateInterval(), config.explainAttempts(), config.api().retention(),
                        maxRecordBytes(config, topics)),
                new StreamMetrics(meters));
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
