package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.Flag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of the explanations this instance keeps (see {@link RecentExplanationsProcessor}): by event id,
 * and the newest ones filtered by model and flag. Which instance keeps an event's explanations follows from the event
 * id, the key of the explanations topics ({@link #owner}).
 */
public final class RecentExplanations {
    /**
     * Explanations by event id and composite hash, replayed ones apart from the original (so a replay never hides
     * it); values as {@link StoredExplanation}.
     */
    public static final String STORE = "recent-explanations";
    /** Keys of {@link #STORE} by the time they were stored. */
    public static final String INDEX = "recent-explanations-by-time";
    /** Most index entries one listing reads before it stops looking for matches. */
    private static final int SCAN_LIMIT = 20_000;
    private static final char SEPARATOR = '\u0000';
    /** The key suffix of a replayed explanation. */
    private static final String REPLAYED = SEPARATOR + "replay";

    private final KafkaStreams streams;
    private final String explanationsTopic;
    private final AvroSerde<Explanation> serde = ReleasedSchemas.explanationSerde();

    public RecentExplanations(KafkaStreams streams, String explanationsTopic) {
        this.streams = streams;
        this.explanationsTopic = explanationsTopic;
    }

    /**
     * One stored explanation: when it was stored, the record, and whether it came from a replay (else it is the
     * original, the one the live prediction got).
     */
    public record Stored(long storedAt, Explanation explanation, boolean replayed) {
    }

    /** The store key of an event's explanation with a composite: one original and one replayed at most. */
    static String key(String eventId, String compositeHash, boolean replayed) {
        return eventId + SEPARATOR + compositeHash + (replayed ? REPLAYED : "");
    }

    private static boolean replayed(String key) {
        return key.endsWith(REPLAYED);
    }

    static String indexKey(long storedAt, String key) {
        return String.format("%016x", storedAt) + SEPARATOR + key;
    }

    public String explanationsTopic() {
        return explanationsTopic;
    }

    /** Where the explanations of an event are kept (active host and partition). */
    public KeyQueryMetadata owner(String eventId) {
        return streams.queryMetadataForKey(STORE, eventId, Serdes.String().serializer());
    }

    /** Every explanation of the event kept here (per composite the original and the replayed), newest first. */
    public List<Stored> byEventId(String eventId) {
        ReadOnlyKeyValueStore<String, Bytes> store = streams.store(StoreQueryParameters.fromNameAndType(STORE,
                QueryableStoreTypes.<String, Bytes>keyValueStore()));
        List<Stored> found = new ArrayList<>();
        try (KeyValueIterator<String, Bytes> matches = store.prefixScan(eventId + SEPARATOR,
                Serdes.String().serializer())) {
            matches.forEachRemaining(entry -> found.add(decode(entry.key, entry.value.get())));
        }
        found.sort(Comparator.comparingLong(Stored::storedAt).reversed());
        return found;
    }

    /**
     * The newest explanations kept here, newest first, of the given model (any when empty) carrying the given flag
     * (any when empty).
     */
    public List<Stored> newest(Optional<String> model, Optional<Flag> flag, int limit) {
        List<Stored> found = new ArrayList<>();
        for (int partition : localPartitions()) {
            found.addAll(newestOfPartition(partition, model, flag, limit));
        }
        found.sort(Comparator.comparingLong(Stored::storedAt).reversed());
        return found.size() > limit ? List.copyOf(found.subList(0, limit)) : found;
    }

    private List<Stored> newestOfPartition(int partition, Optional<String> model, Optional<Flag> flag, int limit) {
        ReadOnlyKeyValueStore<String, String> index = streams.store(StoreQueryParameters.fromNameAndType(INDEX,
                QueryableStoreTypes.<String, String>keyValueStore()).withPartition(partition));
        ReadOnlyKeyValueStore<String, Bytes> store = streams.store(StoreQueryParameters.fromNameAndType(STORE,
                QueryableStoreTypes.<String, Bytes>keyValueStore()).withPartition(partition));
        List<Stored> found = new ArrayList<>();
        int scanned = 0;
        try (KeyValueIterator<String, String> newest = index.reverseAll()) {
            while (newest.hasNext() && found.size() < limit && scanned++ < SCAN_LIMIT) {
                String key = newest.next().value;
                Bytes value = store.get(key);
                if (value != null) {
                    Stored stored = decode(key, value.get());
                    Explanation explanation = stored.explanation();
                    if (model.map(explanation.getModelName()::equals).orElse(true)
                            && flag.map(explanation.getFlags()::contains).orElse(true)) {
                        found.add(stored);
                    }
                }
            }
        }
        return found;
    }

    /** Whether this instance keeps the explanations that {@code owner} locates. */
    public boolean isLocal(KeyQueryMetadata owner) {
        return localPartitions().contains(owner.partition());
    }

    /** The partitions of the explanations topic whose explanations this instance keeps. */
    public Set<Integer> localPartitions() {
        Set<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task ->
                task.topicPartitions().stream().filter(partition -> partition.topic().equals(explanationsTopic))
                        .forEach(partition -> partitions.add(partition.partition()))));
        return partitions;
    }

    private Stored decode(String key, byte[] stored) {
        try {
            return new Stored(StoredExplanation.storedAt(stored),
                    serde.decode(StoredExplanation.explanation(stored)), replayed(key));
        } catch (IOException e) {
            throw new UncheckedIOException("a stored explanation no longer decodes", e);
        }
    }
}
