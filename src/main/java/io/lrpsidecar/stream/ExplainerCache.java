package io.lrpsidecar.stream;

import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.runtime.CompiledExplainer;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The compiled explainers of one model: the default composite's, kept for the model's life, and at most
 * {@code capacity} of overrides, least recently used evicted. An evicted explainer is closed (its native session
 * freed) as soon as no run uses it any more, so a stream of distinct overrides cannot grow the heap or native memory.
 */
final class ExplainerCache implements AutoCloseable {
    private final String pinned;
    private final int capacity;
    private final Function<Composite, CompiledExplainer> compile;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long evictions;

    /** One explainer and the runs using it; closed when evicted and unused. */
    private static final class Entry {
        final CompiledExplainer explainer;
        int users;
        boolean evicted;

        Entry(CompiledExplainer explainer) {
            this.explainer = explainer;
        }
    }

    /**
     * @param pinned   the spec never evicted (the default composite)
     * @param capacity explainers of other specs kept
     * @param compile  compiles the explainer of a composite
     */
    ExplainerCache(String pinned, int capacity, Function<Composite, CompiledExplainer> compile) {
        this.pinned = pinned;
        this.capacity = capacity;
        this.compile = compile;
    }

    /** Runs {@code work} with the explainer of {@code composite} (by its spec), compiled on first use. */
    <T> T use(Composite composite, Function<CompiledExplainer, T> work) {
        Entry entry = acquire(composite);
        try {
            return work.apply(entry.explainer);
        } finally {
            release(entry);
        }
    }

    private synchronized Entry acquire(Composite composite) {
        Entry entry = entries.get(composite.spec());
        if (entry == null) {
            entry = new Entry(compile.apply(composite));
            entries.put(composite.spec(), entry);
            evictBeyondCapacity();
        }
        entry.users++;
        return entry;
    }

    private synchronized void release(Entry entry) {
        entry.users--;
        if (entry.evicted && entry.users == 0) {
            entry.explainer.close();
        }
    }

    private void evictBeyondCapacity() {
        int overrides = entries.size() - (entries.containsKey(pinned) ? 1 : 0);
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (overrides > capacity && eldest.hasNext()) {
            Map.Entry<String, Entry> candidate = eldest.next();
            if (!candidate.getKey().equals(pinned)) {
                eldest.remove();
                overrides--;
                evictions++;
                candidate.getValue().evicted = true;
                if (candidate.getValue().users == 0) {
                    candidate.getValue().explainer.close();
                }
            }
        }
    }

    /** The specs of the explainers kept now, the default's included. */
    synchronized List<String> specs() {
        return List.copyOf(entries.keySet());
    }

    /** Explainers kept now, the default's included. */
    synchronized int size() {
        return entries.size();
    }

    /** Explainers evicted so far. */
    synchronized long evictions() {
        return evictions;
    }

    @Override
    public synchronized void close() {
        entries.values().forEach(entry -> {
            entry.evicted = true;
            if (entry.users == 0) {
                entry.explainer.close();
            }
        });
        entries.clear();
    }
}
