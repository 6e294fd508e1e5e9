package io.lrpsidecar.app.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.PlainJvmLogging;
import io.lrpsidecar.testing.TestBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * The broker probe against a real broker: input topics that do not exist make readiness DOWN and are named while
 * liveness stays UP; a stopped broker makes readiness DOWN, and every readiness call answers at once from the cache.
 */
class BrokerProbeTest {
    private static final List<String> INPUTS = List.of("predictions", "predictions-replay", "explanations",
            "explanations-replay");
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @Test
    void missingTopicsAreNamedForReadinessAndLeaveLivenessUp() throws Exception {
        PlainJvmLogging.quiet();
        BrokerStatus status = new BrokerStatus(Clock.systemUTC(), Duration.ofSeconds(5));
        StreamStateTracker waiting = new StreamStateTracker(Clock.systemUTC(), new SimpleMeterRegistry());
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("predictions", "explanations"), 1);
                BrokerProbe probe = probe(cluster, status)) {
            probe.start(INTERVAL);
            Await.until(Duration.ofSeconds(30), "a probe result", () -> status.broker().up(),
                    () -> status.broker().toString());
            HealthCheckResponse topics = new TopicsReadinessCheck(status).call();
            assertEquals(HealthCheckResponse.Status.DOWN, topics.getStatus());
            assertEquals("input topics missing: explanations-replay, predictions-replay",
                    topics.getData().orElseThrow().get("condition"));
            assertEquals("explanations-replay,predictions-replay", topics.getData().orElseThrow().get("missing"));
            assertEquals(HealthCheckResponse.Status.UP, new BrokerReadinessCheck(status).call().getStatus());
            assertEquals(HealthCheckResponse.Status.UP, new StreamLivenessCheck(waiting).call().getStatus(),
                    "a stream waiting for its topics is alive");
        }
    }

    @Test
    void aStoppedBrokerMakesReadinessDownAndEachCallAnswersAtOnce() throws Exception {
        PlainJvmLogging.quiet();
        BrokerStatus status = new BrokerStatus(Clock.systemUTC(), Duration.ofSeconds(5));
        KafkaClusterTestKit cluster = TestBroker.start(INPUTS, 1);
        boolean stopped = false;
        try (BrokerProbe probe = probe(cluster, status)) {
            probe.start(INTERVAL);
            BrokerReadinessCheck broker = new BrokerReadinessCheck(status);
            Await.until(Duration.ofSeconds(30), "the broker reachable and the topics present",
                    () -> status.broker().up() && status.topics().up(), () -> status.broker().toString());

            cluster.close();
            stopped = true;
            long stoppedAt = System.nanoTime();
            long[] slowestCall = {0};
            Await.until(Duration.ofSeconds(10), "readiness DOWN", () -> {
                long start = System.nanoTime();
                HealthCheckResponse answer = broker.call();
                slowestCall[0] = Math.max(slowestCall[0], System.nanoTime() - start);
                return answer.getStatus() == HealthCheckResponse.Status.DOWN;
            }, () -> status.broker().toString());
            Duration toDown = Duration.ofNanos(System.nanoTime() - stoppedAt);
            assertTrue(Duration.ofNanos(slowestCall[0]).compareTo(Duration.ofSeconds(2)) < 0,
                    "slowest readiness call " + Duration.ofNanos(slowestCall[0]));
            assertTrue(toDown.compareTo(INTERVAL.plus(TIMEOUT.multipliedBy(2)).plusSeconds(1)) < 0,
                    "DOWN " + toDown + " after the broker stopped");
            String condition = broker.call().getData().orElseThrow().get("condition").toString();
            assertTrue(condition.startsWith("broker unreachable: "), condition);
        } finally {
            if (!stopped) {
                cluster.close();
            }
        }
    }

    private static BrokerProbe probe(KafkaClusterTestKit cluster, BrokerStatus status) {
        return new BrokerProbe(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers())), INPUTS, TIMEOUT, status);
    }
}
