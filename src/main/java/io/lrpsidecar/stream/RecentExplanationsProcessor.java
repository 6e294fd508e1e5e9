package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.Explanation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the explanations of the last {@code retention} (live and replayed) in two changelogged stores for the query
 * API: {@link RecentExplanations#STORE}, keyed by event id, composite hash and whether it was replayed (so a replay
 * with the same composite replaces the earlier replay, never duplicates it, and never hides the original), and {@link RecentExplanations#INDEX}, the same keys ordered by the time they were
 * stored, from which the newest are listed and the expired removed (wall-clock punctuator).
 */
final class RecentExplanationsProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(RecentExplanationsProcessor.class);
    private final AvroSerde<Explanation> explanations = ReleasedSchemas.explanationSerde();
    private final Duration retention;
    private final String replayTopic;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, Bytes> store;
    private KeyValueStore<String, String> index;

    /**
     * @param retention   how long an explanation is kept
     * @param replayTopic the topic of replayed explanations
     */
    RecentExplanationsProcessor(Duration retention, String replayTopic) {
        this.retention = retention;
        this.replayTopic = replayTopic;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(RecentExplanations.STORE);
        this.index = context.getStateStore(RecentExplanations.INDEX);
        Duration sweep = retention.dividedBy(10).compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
                : retention.dividedBy(10).plusMillis(1);
        context.schedule(sweep, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        Explanation explanation;
        try {
            explanation = explanations.decode(record.value());
        } catch (IOException | RuntimeException e) {
            LOG.warn("An explanation on {} does not decode and is not kept for queries: {}",
                    context.recordMetadata().map(Object::toString).orElse("?"), e.getMessage());
            return;
        }
        boolean replayed = context.recordMetadata().map(metadata -> metadata.topic().equals(replayTopic))
                .orElse(false);
        String key = RecentExplanations.key(explanation.getEventId(), explanation.getCompositeHash(), replayed);
        long now = context.currentSystemTimeMs();
        Bytes previous = store.get(key);
        if (previous != null) {
            index.delete(RecentExplanations.indexKey(StoredExplanation.storedAt(previous.get()), key));
        }
        store.put(key, Bytes.wrap(StoredExplanation.encode(now, record.value())));
        index.put(RecentExplanations.indexKey(now, key), key);
    }

    private void expire(long now) {
        String end = RecentExplanations.indexKey(now - retention.toMillis(), "");
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> oldest = index.range(null, end)) {
            oldest.forEachRemaining(expired::add);
        }
        for (KeyValue<String, String> entry : expired) {
            index.delete(entry.key);
            store.delete(entry.value);
        }
    }
}
