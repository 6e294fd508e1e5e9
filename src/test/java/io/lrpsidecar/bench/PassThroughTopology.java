package io.lrpsidecar.bench;

import io.lrpsidecar.stream.StreamTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The stream's ceiling: a topology that reads the sidecar's prediction records and writes, for each, the very output
 * records the sidecar wrote for that event (explanation, metrics record and, when flagged, the flagged prediction:
 * same keys, same bytes, same topics), with no decoding, no explainer, no batching store and no query store. Run under
 * the same exactly-once settings and commit interval, its events/s on the same broker is what Kafka itself allows.
 */
final class PassThroughTopology {
    static final String SOURCE = "predictions-source";
    static final String PASS = "pass-through";
    static final String EXPLANATIONS = "explanations-sink";
    static final String METRICS = "metrics-sink";
    static final String FLAGGED = "flagged-sink";

    private PassThroughTopology() {
    }

    /** One output record the sidecar wrote: the sink it went to, its key and its value. */
    record Output(String sink, String key, byte[] value) {
    }

    /** The sidecar's output records by event id, read back from the topics of one sidecar run. */
    record RecordedOutputs(Map<String, List<Output>> byEvent) {
        /** Reads every committed record of the explanations, metrics and flagged topics of {@code topics}. */
        static RecordedOutputs read(String bootstrap, StreamTopics topics) {
            Map<String, List<Output>> byEvent = new HashMap<>();
            Map<String, String> sinks = Map.of(topics.explanations(), EXPLANATIONS, topics.metrics(), METRICS,
                    topics.flagged(), FLAGGED);
            Properties properties = new Properties();
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = sinks.keySet().stream()
                        .flatMap(topic -> consumer.partitionsFor(topic).stream()
                                .map(info -> new TopicPartition(topic, info.partition())))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        byEvent.computeIfAbsent(record.key(), ignored -> new ArrayList<>())
                                .add(new Output(sinks.get(record.topic()), record.key(), record.value()));
                    }
                }
            }
            return new RecordedOutputs(byEvent);
        }

        /** Output records per event, on average. */
        double recordsPerEvent() {
            return byEvent.values().stream().mapToInt(List::size).average().orElse(0);
        }

        /** Output bytes (keys and values) per event, on average. */
        double bytesPerEvent() {
            return byEvent.values().stream().mapToLong(outputs -> outputs.stream()
                    .mapToLong(output -> output.key().length() + output.value().length).sum()).average().orElse(0);
        }
    }

    /** The pass-through topology from {@code topics.predictions()} to the sidecar's three output topics. */
    static Topology build(StreamTopics topics, RecordedOutputs outputs) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.predictions());
        topology.addProcessor(PASS, () -> new PassThrough(outputs), SOURCE);
        topology.addSink(EXPLANATIONS, topics.explanations(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PASS);
        topology.addSink(METRICS, topics.metrics(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                PASS);
        topology.addSink(FLAGGED, topics.flagged(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                PASS);
        return topology;
    }

    /** Forwards, for each prediction record, the recorded outputs of its event id. */
    private static final class PassThrough implements Processor<byte[], byte[], String, byte[]> {
        private final RecordedOutputs outputs;
        private ProcessorContext<String, byte[]> context;

        PassThrough(RecordedOutputs outputs) {
            this.outputs = outputs;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            String eventId = new String(record.key(), StandardCharsets.UTF_8);
            List<Output> recorded = outputs.byEvent().get(eventId);
            if (recorded == null) {
                throw new IllegalStateException("expected recorded sidecar outputs for event '" + eventId
                        + "', found none among " + outputs.byEvent().size() + " events");
            }
            long now = context.currentSystemTimeMs();
            for (Output output : recorded) {
                context.forward(new Record<>(output.key(), output.value(), now), output.sink());
            }
        }
    }
}
