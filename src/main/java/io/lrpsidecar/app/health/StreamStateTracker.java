package io.lrpsidecar.app.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.jboss.logging.Logger;

/**
 * Follows the state of one Kafka Streams client (as its state listener) and the exceptions that ended its threads
 * (as {@link ThreadReplacementPolicy} reports them), and judges liveness and readiness from them.
 * <ul>
 *   <li>Dead beyond recovery: the client reached {@code PENDING_ERROR} or {@code ERROR}, or it stopped
 *       ({@code PENDING_SHUTDOWN}, {@code NOT_RUNNING}) after a thread failure the policy answered by shutting the
 *       client down. A clean shutdown is not a death. Death is final: a Kafka Streams client never runs again.</li>
 *   <li>Ready: alive, and {@code RUNNING} or {@code REBALANCING}, or out of those two states for no longer than a
 *       grace (startup goes {@code CREATED → REBALANCING → RUNNING}).</li>
 * </ul>
 * On death it logs exactly one ERROR line with the cause, increments {@code lrp_stream_deaths_total} and sets
 * {@code lrp_stream_alive} to 0.
 */
public final class StreamStateTracker implements KafkaStreams.StateListener {
    private static final Logger LOG = Logger.getLogger(StreamStateTracker.class);

    private final Clock clock;
    private final Counter deaths;
    private State state = State.CREATED;
    private Instant stateSince;
    /** When the client left RUNNING/REBALANCING (or was created); null while in one of them. */
    private Instant outOfServiceSince;
    private String lastFailure;
    private boolean shutdownForFailure;
    private Instant diedAt;
    private String deathCause;

    public StreamStateTracker(Clock clock, MeterRegistry meters) {
        this.clock = clock;
        this.stateSince = clock.instant();
        this.outOfServiceSince = stateSince;
        this.deaths = Counter.builder("lrp.stream.deaths")
                .description("Kafka Streams clients dead beyond recovery (liveness DOWN)").register(meters);
        Gauge.builder("lrp.stream.alive", this, tracker -> tracker.dead() ? 0 : 1)
                .description("1 while the Kafka Streams client is alive, 0 once it is dead beyond recovery")
                .register(meters);
    }

    @Override
    public void onChange(State newState, State oldState) {
        String deathLine = null;
        synchronized (this) {
            Instant now = clock.instant();
            state = newState;
            stateSince = now;
            if (newState.isRunningOrRebalancing()) {
                outOfServiceSince = null;
            } else if (outOfServiceSince == null) {
                outOfServiceSince = now;
            }
            if (diedAt == null && isDeath(newState)) {
                diedAt = now;
                deathCause = lastFailure == null ? "no thread failure was reported" : lastFailure;
                deathLine = "Kafka Streams died beyond recovery (" + oldState + " -> " + newState
                        + "), liveness is DOWN; cause: " + deathCause;
            }
        }
        if (deathLine != null) {
            deaths.increment();
            LOG.error(deathLine);
        }
    }

    private boolean isDeath(State reached) {
        return reached == State.PENDING_ERROR || reached == State.ERROR
                || shutdownForFailure && (reached == State.PENDING_SHUTDOWN || reached == State.NOT_RUNNING);
    }

    /**
     * Records an exception that ended a stream thread; {@code clientShutDown} when the client is shut down for it
     * rather than the thread replaced.
     */
    public synchronized void threadFailed(Throwable failure, boolean clientShutDown) {
        lastFailure = Causes.oneLine(failure);
        shutdownForFailure |= clientShutDown;
    }

    public synchronized boolean dead() {
        return diedAt != null;
    }

    public synchronized State state() {
        return state;
    }

    /** DOWN only when the client is dead beyond recovery. */
    public synchronized Verdict liveness() {
        if (diedAt != null) {
            return died();
        }
        return new Verdict(true, "alive", stateSince, Map.of("state", state.name()));
    }

    /** DOWN when dead, or when out of RUNNING and REBALANCING for longer than {@code grace}. */
    public synchronized Verdict readiness(Duration grace) {
        if (diedAt != null) {
            return died();
        }
        Map<String, String> details = Map.of("state", state.name());
        if (outOfServiceSince == null) {
            return new Verdict(true, "processing (" + state + ")", stateSince, details);
        }
        Duration out = Duration.between(outOfServiceSince, clock.instant());
        if (out.compareTo(grace) > 0) {
            return new Verdict(false, "not RUNNING or REBALANCING for longer than the grace of " + grace
                    + " (" + state + ")", outOfServiceSince, details);
        }
        return new Verdict(true, "not RUNNING or REBALANCING yet (" + state + "), within the grace of " + grace,
                outOfServiceSince, details);
    }

    private Verdict died() {
        return new Verdict(false, "Kafka Streams dead beyond recovery: " + deathCause, diedAt,
                Map.of("state", state.name()));
    }
}
