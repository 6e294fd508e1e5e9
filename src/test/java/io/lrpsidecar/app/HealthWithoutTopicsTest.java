package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.app.health.StreamStateTracker;
import io.lrpsidecar.app.health.ThreadReplacementPolicy;
import io.lrpsidecar.testing.Await;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.Test;

/**
 * The service on a broker without its topics, then with the broker stopped. Missing input topics make readiness
 * DOWN, naming them, and leave liveness UP (the stream waits for them: no restart loop). A stopped broker makes
 * readiness DOWN, and every readiness call answers within 2 s (it reads the probe's cached result).
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerWithoutTopicsResource.class, restrictToAnnotatedClass = true)
class HealthWithoutTopicsTest {
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(2);

    @TestHTTPResource("/q/health/ready")
    URI ready;

    @TestHTTPResource("/q/health/live")
    URI live;

    @TestHTTPResource("/q/health/started")
    URI started;

    /** Stops the test broker (set by the resource). */
    AutoCloseable stopBroker;

    @Inject
    Instance<KafkaStreams.StateListener> stateListener;

    @Inject
    Instance<StreamsUncaughtExceptionHandler> exceptionHandler;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void missingTopicsAreAReadinessMatterAndABrokerOutageIsAnsweredAtOnce() throws Exception {
        assertInstanceOf(StreamStateTracker.class, stateListener.get(), "the extension's state listener");
        assertInstanceOf(ThreadReplacementPolicy.class, exceptionHandler.get(), "the extension's exception handler");

        AtomicReference<JsonNode> last = new AtomicReference<>();
        Await.until(Duration.ofSeconds(30), "readiness naming the missing topics", () -> {
            last.set(get(ready, 503));
            return check(last.get(), "kafka-topics").path("status").asText().equals("DOWN");
        }, () -> String.valueOf(last.get()));
        JsonNode topics = check(last.get(), "kafka-topics");
        assertEquals("input topics missing: explanations, explanations-replay, predictions, predictions-replay",
                topics.path("data").path("condition").asText(), topics.toString());
        assertTrue(topics.path("data").has("since"), topics.toString());
        assertEquals("UP", check(last.get(), "kafka-broker").path("status").asText(), last.get().toString());
        assertEquals("UP", check(last.get(), "models").path("status").asText(), last.get().toString());

        assertEquals("UP", get(started, 200).path("status").asText(), "the startup probe's endpoint");
        JsonNode liveness = get(live, 200);
        assertEquals("UP", liveness.path("status").asText(), liveness.toString());
        assertEquals("CREATED", check(liveness, "kafka-streams").path("data").path("state").asText(),
                "the stream waits for its topics: " + liveness);

        stopBroker.close();
        AtomicLong slowest = new AtomicLong();
        Await.until(Duration.ofSeconds(20), "readiness DOWN for the stopped broker", () -> {
            long start = System.nanoTime();
            last.set(get(ready, 503));
            slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
            return check(last.get(), "kafka-broker").path("status").asText().equals("DOWN");
        }, () -> String.valueOf(last.get()));
        assertTrue(Duration.ofNanos(slowest.get()).compareTo(ANSWER_LIMIT) < 0,
                "slowest readiness answer " + Duration.ofNanos(slowest.get()));
        String condition = check(last.get(), "kafka-broker").path("data").path("condition").asText();
        assertTrue(condition.startsWith("broker unreachable: "), condition);
        long start = System.nanoTime();
        assertEquals("UP", get(live, 200).path("status").asText(), "a broker outage is no reason to restart");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(ANSWER_LIMIT) < 0, "liveness answer");
    }

    private JsonNode get(URI uri, int expectedStatus) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(expectedStatus, response.statusCode(), response.body());
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted asking " + uri, e);
        }
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("expected a check named " + name + ", found " + health);
    }
}
