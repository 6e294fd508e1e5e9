package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.PackagedService;
import io.lrpsidecar.testing.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;

/**
 * Two packaged instances share a 4-partition topic: each keeps the explanations of its own partitions, and either
 * answers for every event, forwarding to the other one when it does not keep it, and lists the newest of both; a
 * replay started on one is followed on the other.
 */
class QueryForwardingIT {
    private static final int EVENTS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_KEY = "it-key";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eitherInstanceAnswersForEveryEvent() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 4)) {
            String bootstrap = cluster.bootstrapServers();
            PackagedService first = PackagedService.start(bootstrap, Files.createTempDirectory("lrp-query-a"),
                    "lrp.api.advertised-address=localhost:{port}", "lrp.api.key=" + API_KEY);
            PackagedService second = PackagedService.start(bootstrap, Files.createTempDirectory("lrp-query-b"),
                    "lrp.api.advertised-address=localhost:{port}", "lrp.api.key=" + API_KEY);
            try {
                Set<String> sent = CrashRecoveryIT.send(bootstrap, 0, EVENTS);
                Await.until(Duration.ofSeconds(120), "both instances to keep their share of the explanations",
                        () -> local(first).size() + local(second).size() == EVENTS
                                && !local(first).isEmpty() && !local(second).isEmpty());
                Set<String> both = new HashSet<>(local(first));
                both.addAll(local(second));
                assertEquals(sent, both, "each explanation kept by exactly one instance");
                for (String id : sent) {
                    for (PackagedService instance : new PackagedService[] {first, second}) {
                        HttpResponse<String> answer = get(instance, "/explanations/" + id);
                        assertEquals(200, answer.statusCode(), answer.body());
                        assertEquals(id, JSON.readTree(answer.body()).get("eventId").asText());
                    }
                }
                String keptBySecond = local(second).iterator().next();
                HttpResponse<byte[]> heatmap = http.send(request(first, "/explanations/" + keptBySecond
                        + "/heatmap.png?scale=4"), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, heatmap.statusCode());
                assertEquals("image/png", heatmap.headers().firstValue("content-type").orElseThrow());
                JsonNode newest = JSON.readTree(get(first, "/explanations?limit=100").body());
                assertEquals(EVENTS, newest.size(), "the list merges both instances");
                assertEquals(404, get(second, "/explanations/unknown-event").statusCode());
                HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + first.port() + "/replays")).header("Content-Type", "application/json")
                        .header("X-API-Key", API_KEY).POST(HttpRequest.BodyPublishers.ofString(
                                "{\"topic\": \"predictions\", \"eventIds\": [\"crash-1\", \"crash-2\"], "
                                + "\"composite\": \"epsilon\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, started.statusCode(), started.body());
                String replay = JSON.readTree(started.body()).get("id").asText();
                Await.until(Duration.ofSeconds(60), "the replay, followed on the other instance, to finish", () -> {
                    HttpResponse<String> progress = get(second, "/replays/" + replay);
                    try {
                        return progress.statusCode() == 200 && JSON.readTree(progress.body()).get("done").asBoolean()
                                && JSON.readTree(progress.body()).get("explained").asInt() == 2;
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals(404, get(second, "/replays/no-such-replay").statusCode());
            } finally {
                first.stop();
                second.stop();
            }
        }
    }

    private Set<String> local(PackagedService instance) {
        try {
            HttpResponse<String> answer = get(instance, "/explanations?local=true&limit=100");
            Set<String> ids = new HashSet<>();
            if (answer.statusCode() == 200) {
                JSON.readTree(answer.body()).forEach(summary -> ids.add(summary.get("eventId").asText()));
            }
            return ids;
        } catch (java.io.IOException e) {
            return Set.of();
        }
    }

    private HttpResponse<String> get(PackagedService instance, String path) {
        try {
            return http.send(request(instance, path), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new AssertionError("instance on port " + instance.port() + " did not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpRequest request(PackagedService instance, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + instance.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
    }
}
