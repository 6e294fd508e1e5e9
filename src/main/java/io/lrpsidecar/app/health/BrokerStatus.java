package io.lrpsidecar.app.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The last result of the broker probe and since when it holds, for readiness checks that must answer at once. A
 * result older than {@code maxAge} no longer counts: the broker is then reported unreachable, as nothing shows it is
 * not.
 */
public final class BrokerStatus {
    private final Clock clock;
    private final Duration maxAge;
    private final Instant created;
    private Instant probedAt;
    private boolean reachable;
    private String problem = "no broker probe has answered yet";
    /** Since when the broker is reachable, or unreachable, as the last result says. */
    private Instant reachabilitySince;
    private Instant topicsCheckedAt;
    private Set<String> missingTopics = Set.of();
    /** Since when the required topics are missing (the same ones), or all present. */
    private Instant topicsSince;

    public BrokerStatus(Clock clock, Duration maxAge) {
        this.clock = clock;
        this.maxAge = maxAge;
        this.created = clock.instant();
        this.reachabilitySince = created;
    }

    /** Records a probe that reached the broker and found {@code missing} of the required topics absent. */
    public synchronized void reached(Set<String> missing) {
        Instant now = clock.instant();
        if (!reachable) {
            reachabilitySince = now;
        }
        reachable = true;
        problem = null;
        probedAt = now;
        if (topicsCheckedAt == null || !missing.equals(missingTopics)) {
            topicsSince = now;
        }
        missingTopics = Set.copyOf(missing);
        topicsCheckedAt = now;
    }

    /** Records a probe that did not reach the broker, and why. */
    public synchronized void unreachable(String why) {
        Instant now = clock.instant();
        if (reachable || probedAt == null) {
            reachabilitySince = probedAt == null ? created : now;
        }
        reachable = false;
        problem = Objects.requireNonNull(why);
        probedAt = now;
    }

    /** UP while the last probe, no older than the maximum age, reached the broker. */
    public synchronized Verdict broker() {
        Instant now = clock.instant();
        if (probedAt != null && Duration.between(probedAt, now).compareTo(maxAge) > 0) {
            return new Verdict(false, "broker unknown: no probe result for longer than " + maxAge, probedAt,
                    Map.of("last-result", reachable ? "reachable" : "unreachable: " + problem));
        }
        if (!reachable) {
            return new Verdict(false, "broker unreachable: " + problem, reachabilitySince,
                    probedAt == null ? Map.of() : Map.of("last-probe", probedAt.toString()));
        }
        return new Verdict(true, "broker reachable", reachabilitySince, Map.of("last-probe", probedAt.toString()));
    }

    /** UP when the last probe that reached the broker found every required topic; names those it did not find. */
    public synchronized Verdict topics() {
        if (topicsCheckedAt == null) {
            return new Verdict(false, "topics not checked yet: the broker has not answered", created, Map.of());
        }
        if (!missingTopics.isEmpty()) {
            List<String> names = List.copyOf(new TreeSet<>(missingTopics));
            return new Verdict(false, "input topics missing: " + String.join(", ", names), topicsSince,
                    Map.of("missing", String.join(",", names), "checked", topicsCheckedAt.toString()));
        }
        return new Verdict(true, "input topics present", topicsSince, Map.of("checked", topicsCheckedAt.toString()));
    }
}
