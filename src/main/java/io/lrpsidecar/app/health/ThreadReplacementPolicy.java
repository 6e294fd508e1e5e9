package io.lrpsidecar.app.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * The answer to an exception that ends a Kafka Streams thread (docs/adr/0006-health-semantics.md): the thread is
 * replaced, at most {@code maxReplacements} times within any {@code window}; beyond that, or for an {@link Error}
 * anywhere in the cause chain, the client shuts down, which the {@link StreamStateTracker} reports as death. Each
 * replacement logs one WARN line and counts in {@code lrp_stream_thread_replacements_total}.
 */
public final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(ThreadReplacementPolicy.class);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final StreamStateTracker tracker;
    private final Counter replacements;
    private final Deque<Instant> recent = new ArrayDeque<>();

    public ThreadReplacementPolicy(int maxReplacements, Duration window, Clock clock, StreamStateTracker tracker,
            MeterRegistry meters) {
        if (maxReplacements < 0 || window.isNegative()) {
            throw new IllegalArgumentException("expected a replacement budget >= 0 and a window >= 0, found "
                    + maxReplacements + " per " + window);
        }
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
        this.tracker = tracker;
        this.replacements = Counter.builder("lrp.stream.thread.replacements")
                .description("Kafka Streams threads replaced after an exception ended them").register(meters);
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        boolean replace;
        int used;
        synchronized (this) {
            Instant now = clock.instant();
            while (!recent.isEmpty() && Duration.between(recent.peekFirst(), now).compareTo(window) >= 0) {
                recent.removeFirst();
            }
            replace = !hasError(exception) && recent.size() < maxReplacements;
            if (replace) {
                recent.addLast(now);
            }
            used = recent.size();
        }
        tracker.threadFailed(exception, !replace);
        if (!replace) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.increment();
        LOG.warnf("A Kafka Streams thread died and is replaced (%d of %d replacements within %s): %s", used,
                maxReplacements, window, Causes.oneLine(exception));
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static boolean hasError(Throwable exception) {
        Throwable cause = exception;
        for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) {
            if (cause instanceof Error) {
                return true;
            }
        }
        return false;
    }
}
