package io.lrpsidecar.stream;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * Keeps the batching store's changelog to the events that outlive a commit. The store is cached
 * ({@link ExplainTopology#STORE}): puts and deletes wait in the cache until the commit. Kafka Streams writes a cached
 * entry whose last state is a delete as a tombstone, unless the store has a flush listener: then a key that the
 * store below never held is dropped from the cache without a record. An event put and explained within one commit
 * interval (the common case: a batch fills or its max-wait passes before the commit) thus writes nothing to the
 * changelog, instead of its whole prediction and a tombstone. An event still waiting at the commit is written as
 * before and deleted with a tombstone later, so a restored store holds exactly the events that were waiting.
 * The listener is Kafka Streams' internal hook for cached stores (the DSL's tables use it); where the store does not
 * take it, the store works as a cached store that writes tombstones.
 */
final class PendingChangelog {
    private PendingChangelog() {
    }

    /** Sets a listener that does nothing on {@code store}; whether the store took it. */
    @SuppressWarnings("unchecked")
    static boolean onlySurvivorsOfCommits(StateStore store) {
        return store instanceof CachedStateStore<?, ?> cached
                && ((CachedStateStore<Object, Object>) cached).setFlushListener(flushed -> { }, false);
    }
}
