package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.PendingPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The sidecar's Kafka Streams topology (Processor API):
 * <pre>
 *   predictions --&gt; validate --&gt; batch (store: pending-predictions) --&gt; explanations
 *                      |               |                                  --&gt; explanation-metrics
 *                      |               |                                  --&gt; predictions-flagged
 *   predictions-replay    |               |                                  --&gt; explanations-replay
 *                      +---------------+--&gt; predictions-dlq
 *
 *   explanations, explanations-replay --&gt; recent-explanations (stores: recent-explanations, -by-time)
 *
 *   predictions-replay (pin control records) --&gt; drift-pin (store: attribution-profiles, shared with batch)
 * </pre>
 * The batch processor adds the relevance of every live explanation to its partition's attribution profiles
 * ({@link AttributionDrift}).
 * Replayed predictions (header {@code lrp-replay-id}) are explained like live ones; their explanations go to
 * explanations-replay only.
 * Keys of the outputs are event ids; dead letters keep the original key.
 */
public final class ExplainTopology {
    static final String SOURCE = "predictions-source";
    static final String VALIDATE = "validate";
    static final String BATCH = "batch";
    static final String EXPLANATIONS = "explanations-sink";
    static final String METRICS = "metrics-sink";
    static final String FLAGGED = "flagged-sink";
    static final String DEAD_LETTERS = "dead-letters-sink";
    static final String EXPLANATIONS_REPLAY = "explanations-replay-sink";
    static final String EXPLANATIONS_SOURCE = "explanations-source";
    static final String RECENT = "recent-explanations";
    static final String DRIFT_PIN = "drift-pin";
    /**
     * The changelogged store in which predictions wait for their batch. It is an in-memory store (restored from its
     * changelog after a restart): a queue that is emptied batch by batch leaves RocksDB full of tombstones, which
     * every scan would have to skip. It is cached, so that events explained before the commit never reach the
     * changelog ({@link PendingChangelog}).
     */
    public static final String STORE = "pending-predictions";

    private ExplainTopology() {
    }

    /** The topology with default drift settings for every model. */
    public static Topology build(StreamTopics topics, ModelRegistry registry, TopologySettings settings,
            StreamMetrics metrics) {
        return build(topics, registry, settings, metrics, new AttributionDrift(registry, java.util.Map.of()));
    }

    /** The topology, keeping attribution profiles as {@code drift} says and gauging their drift. */
    public static Topology build(StreamTopics topics, ModelRegistry registry, TopologySettings settings,
            StreamMetrics metrics, AttributionDrift drift) {
        AvroSerde<PredictionEvent> events = ReleasedSchemas.predictionEventSerde();
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.predictions(), topics.predictionsReplay());
        topology.addProcessor(VALIDATE, () -> new ValidateProcessor(registry, events, metrics, settings,
                topics.predictionsReplay()), SOURCE);
        topology.addProcessor(BATCH, () -> new BatchProcessor(registry, settings, metrics, events, drift),
                VALIDATE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(),
                new AvroSerde<PendingPrediction>(PendingPrediction.getClassSchema())).withCachingEnabled(), BATCH);
        topology.addProcessor(DRIFT_PIN, () -> new DriftPinProcessor(drift, topics.predictionsReplay()), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AttributionDrift.STORE),
                Serdes.String(), Serdes.ByteArray()), BATCH, DRIFT_PIN);
        metrics.attributionDrift(drift);
        // outputs arrive encoded (OutputEncoder), so that serialisation failures are caught per event
        topology.addSink(EXPLANATIONS, topics.explanations(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), BATCH);
        topology.addSink(METRICS, topics.metrics(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                BATCH);
        topology.addSink(FLAGGED, topics.flagged(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                BATCH);
        topology.addSink(DEAD_LETTERS, topics.deadLetters(), Serdes.ByteArray().serializer(),
                serializer(new AvroSerde<DeadLetter>(DeadLetter.getClassSchema())), VALIDATE, BATCH);
        topology.addSink(EXPLANATIONS_REPLAY, topics.explanationsReplay(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), BATCH);
        addRecentExplanations(topology, topics, settings);
        return topology;
    }

    /** The explanations kept for queries: a second sub-topology reading both explanations topics. */
    private static void addRecentExplanations(Topology topology, StreamTopics topics, TopologySettings settings) {
        topology.addSource(EXPLANATIONS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.explanations(), topics.explanationsReplay());
        topology.addProcessor(RECENT, () -> new RecentExplanationsProcessor(settings.recentRetention(),
                topics.explanationsReplay()), EXPLANATIONS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RecentExplanations.STORE),
                Serdes.String(), Serdes.Bytes()), RECENT);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RecentExplanations.INDEX),
                Serdes.String(), Serdes.String()), RECENT);
    }

    @SuppressWarnings("unchecked")
    private static <T> Serializer<Object> serializer(Serde<T> serde) {
        return (Serializer<Object>) (Serializer<?>) serde.serializer();
    }
}
