package io.lrpsidecar.app;

import io.lrpsidecar.stream.ExplainTopology;
import io.lrpsidecar.stream.StreamMetrics;
import io.lrpsidecar.stream.TopologySettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** Hands the explain topology to Quarkus' Kafka Streams extension, which runs it. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(SidecarConfig config, ModelLoader models, MeterRegistry meters) {
        return ExplainTopology.build(config.topics().streamTopics(), models.registry(),
                new TopologySettings(config.punctuateInterval(), config.explainAttempts(), config.api().retention(),
                        config.limits().maxRecordBytes()),
                new StreamMetrics(meters));
    }
}
