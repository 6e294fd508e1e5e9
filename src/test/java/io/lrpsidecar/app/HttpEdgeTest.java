package io.lrpsidecar.app;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.testing.Await;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The HTTP edge on the running service: raw paths that normalise into another route are refused before routing
 * (sent over a plain socket, so no client tidies them), every error is a JSON body with a reason and a message, bad
 * query parameters are 400, replay requests are checked field by field, and write requests over the rate limit get
 * 429 (last, so that the other tests keep their tokens).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpEdgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    java.net.URL service;

    /** One answer read off the socket. */
    private record RawAnswer(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            assertTrue(headers.getOrDefault("content-type", "").startsWith("application/json"),
                    "a JSON error body, found Content-Type " + headers.get("content-type") + ": " + body);
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    void storesAnswer() {
        io.restassured.RestAssured.port = service.getPort();
        Await.until(Duration.ofSeconds(60), "the explanation stores to answer", () ->
                given().get("/explanations/no-such-event").statusCode() == 404);
    }

    @Test
    @Order(1)
    void encodedDotSegmentsAndTraversalAreRefusedBeforeRouting() throws Exception {
        RawAnswer metrics = raw("GET", "/q/metrics", Map.of(), "");
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("# TYPE"), "the plain socket reaches the metrics when asked directly");
        for (String target : List.of("/explanations/%2e%2e/q/metrics", "/explanations/%2E%2E/q/metrics",
                "/explanations/..%2f..%2fq%2fmetrics", "/%2e%2e/q/health", "/explanations/../q/metrics",
                "/q/%2e%2e/q/metrics", "/explanations/digit-1/%2e%2e/%2e%2e/q/health/ready", "/%2e%2e/index.html",
                "/explanations/%2e%2e%2fq%2fmetrics", "/explanations/a%5c..%5cq", "/explanations/%c0%ae%c0%ae/q",
                "//q/metrics")) {
            RawAnswer answer = raw("GET", target, Map.of(), "");
            assertEquals(400, answer.status(), target + ": " + answer.body());
            JsonNode error = answer.json();
            assertEquals("path-traversal", error.get("reason").asText(), target);
            assertTrue(error.get("message").asText().contains("found"), error.toString());
            assertFalse(answer.body().contains("# TYPE") || answer.body().contains("\"UP\""),
                    target + " must not reach another route: " + answer.body());
        }
    }

    @Test
    @Order(1)
    void requestLinesTheHttpDecoderRefusesAre400AndReachNoRoute() throws Exception {
        for (String target : List.of("/explanations/..\\..\\q\\metrics", "/explanations/%zz/../q/metrics",
                "/explanations/%")) {
            RawAnswer answer = raw("GET", target, Map.of(), "");
            assertEquals(400, answer.status(), target + ": " + answer.body());
            assertFalse(answer.body().contains("# TYPE"), target + ": " + answer.body());
        }
        RawAnswer noHost = exchange("GET /explanations HTTP/1.1\r\nConnection: close\r\n\r\n", new byte[0]);
        assertError(noHost, 400, "bad-request", "Host");
    }

    @Test
    @Order(1)
    void swaggerUiIsNotServedOutsideTheDemoMode() throws Exception {
        for (String target : List.of("/q/swagger-ui", "/q/swagger-ui/", "/q/swagger-ui/index.html")) {
            RawAnswer answer = raw("GET", target, Map.of(), "");
            assertError(answer, 404, "not-found", "demo mode");
        }
        assertEquals(200, raw("GET", "/q/openapi", Map.of(), "").status(), "the document itself stays served");
    }

    @Test
    @Order(1)
    void doubleEncodedDotsAreALiteralIdAndNeverAnotherRoute() throws Exception {
        RawAnswer literal = raw("GET", "/explanations/%252e%252e", Map.of(), "");
        assertEquals(404, literal.status(), literal.body());
        assertTrue(literal.json().get("message").asText().contains("'%2e%2e'"),
                "looked up as the literal id %2e%2e: " + literal.body());
        RawAnswer deeper = raw("GET", "/explanations/%252e%252e/q/metrics", Map.of(), "");
        assertEquals(404, deeper.status(), deeper.body());
        assertEquals("not-found", deeper.json().get("reason").asText());
        assertFalse(deeper.body().contains("# TYPE"), deeper.body());
    }

    @Test
    @Order(1)
    void everyErrorIsAJsonBodyWithAReasonAndAMessage() throws Exception {
        Map<String, String> key = Map.of("X-API-Key", KafkaBrokerResource.API_KEY,
                "Content-Type", "application/json");
        assertError(raw("POST", "/explain", key, "{\"eventId\": "), 400, "malformed-json", "end-of-input");
        assertError(raw("POST", "/replays", key, "{\"flag\": \"MISCLASSIFIED\",,}"), 400, "malformed-json",
                "line 1");
        assertError(raw("POST", "/replays", key, "{\"partition\": \"first\"}"), 400, "malformed-json",
                "partition");
        assertError(raw("POST", "/replays", key, "{\"from\": \"yesterday\"}"), 400, "malformed-json", "from");
        assertError(raw("GET", "/no/such/page", Map.of(), ""), 404, "not-found", "/no/such/page");
        assertError(raw("GET", "/q/no-such-endpoint", Map.of(), ""), 404, "not-found", "/q/no-such-endpoint");
        assertError(raw("DELETE", "/explanations", Map.of(), ""), 405, "method-not-allowed", "found DELETE");
        assertError(raw("PUT", "/replays", key, "{}"), 405, "method-not-allowed", "found PUT");
        assertError(raw("POST", "/explain", Map.of("X-API-Key", KafkaBrokerResource.API_KEY,
                "Content-Type", "text/plain"), "hello"), 415, "unsupported-media-type", "text/plain");
        assertError(raw("POST", "/explain", Map.of("Content-Type", "application/json"), "{}"), 401,
                "unauthorized", "X-API-Key");
        assertError(raw("POST", "/replays", Map.of("X-API-Key", "wrong", "Content-Type", "application/json"),
                "{}"), 401, "unauthorized", "different key");
        assertError(raw("POST", "/explain", Map.of("X-API-Key", KafkaBrokerResource.API_KEY,
                "Content-Type", "application/json", "Content-Length", "12000000"), "{"), 413, "body-too-large",
                "12000000");
    }

    @Test
    @Order(1)
    void badQueryParametersAre400NamingTheParameter() throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("/explanations?limit=abc", "limit");
        parameters.put("/explanations?limit=0", "limit");
        parameters.put("/explanations?limit=99999999999", "limit");
        parameters.put("/explanations?local=maybe", "local");
        parameters.put("/explanations?flag=SOMETIMES", "flag");
        parameters.put("/explanations/digit-1/heatmap.png?scale=abc", "scale");
        parameters.put("/explanations/digit-1/heatmap.png?scale=1000", "scale");
        parameters.put("/explanations/digit-1/heatmap.png?overlay=abc", "overlay");
        parameters.put("/explanations/digit-1?local=yes", "local");
        parameters.put("/replays/some-id?local=1", "local");
        for (Map.Entry<String, String> case_ : parameters.entrySet()) {
            assertError(raw("GET", case_.getKey(), Map.of(), ""), 400, "bad-parameter", case_.getValue());
        }
        assertError(raw("POST", "/explain?target=abc", Map.of("X-API-Key", KafkaBrokerResource.API_KEY,
                "Content-Type", "application/json"), "{}"), 400, "bad-parameter", "target");
    }

    @Test
    @Order(1)
    void replayRequestsAreCheckedFieldByField() throws Exception {
        JsonNode bogus = replayError("{\"flag\": \"BOGUS\"}", "invalid-replay");
        for (Flag flag : Flag.values()) {
            assertTrue(bogus.get("message").asText().contains(flag.name()), "names the allowed flag " + flag + ": "
                    + bogus);
        }
        assertTrue(bogus.get("message").asText().contains("BOGUS"), bogus.toString());
        assertTrue(replayError("{\"topic\": \"explanations\", \"fromOffset\": 0}", "invalid-replay").get("message")
                .asText().contains("predictions-flagged"));
        assertTrue(replayError("{\"partition\": -1}", "invalid-replay").get("message").asText().contains("-1"));
        assertTrue(replayError("{\"partition\": 0, \"fromOffset\": -5}", "invalid-replay").get("message").asText()
                .contains("fromOffset"));
        assertTrue(replayError("{\"partition\": 0, \"toOffset\": -1}", "invalid-replay").get("message").asText()
                .contains("toOffset"));
        assertTrue(replayError("{\"partition\": 0, \"fromOffset\": 9, \"toOffset\": 3}", "invalid-replay")
                .get("message").asText().contains("fromOffset 9 after toOffset 3"));
        assertTrue(replayError("{\"from\": \"2026-01-02T00:00:00Z\", \"to\": \"2026-01-01T00:00:00Z\"}",
                "invalid-replay").get("message").asText().contains("after to"));
        assertTrue(replayError("{\"eventIds\": [\"digit-1\", \"\"]}", "invalid-replay").get("message").asText()
                .contains("eventIds[1]"));
        assertTrue(replayError("{\"eventIds\": [\"" + "x".repeat(257) + "\"]}", "invalid-replay").get("message")
                .asText().contains("257 characters"));
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            tooMany.add("\"e" + i + "\"");
        }
        assertTrue(replayError("{\"eventIds\": [" + String.join(",", tooMany) + "]}", "invalid-replay")
                .get("message").asText().contains("found 10001"));
        assertTrue(replayError("{\"flag\": \"MISCLASSIFIED\", \"composite\": \"epsilon(\"}", "bad-composite")
                .get("message").asText().startsWith("bad-composite: "), "the form of POST /explain's refusal");
        assertTrue(replayError("{\"flag\": \"MISCLASSIFIED\", \"composite\": \"  \"}", "bad-composite")
                .get("message").asText().contains("blank"));
    }

    @Test
    @Order(1)
    void aReplayCompositeCannotReadServerFiles() throws Exception {
        JsonNode error = replayError("{\"flag\": \"MISCLASSIFIED\", "
                + "\"composite\": \"epsilon-gamma-box(low=@/etc/passwd,high=1)\"}", "bad-composite");
        assertTrue(error.get("message").asText().startsWith("bad-composite: composite overrides cannot read files "
                + "('@/etc/passwd')"), error.toString());
    }

    @Test
    @Order(2)
    void writeRequestsOverTheRateLimitGet429WithRetryAfter() throws Exception {
        double refusedBefore = refusedExplains();
        Map<String, String> key = Map.of("X-API-Key", KafkaBrokerResource.API_KEY,
                "Content-Type", "application/json");
        RawAnswer refused = null;
        int sent = 0;
        while (refused == null && sent < 500) {
            RawAnswer answer = raw("POST", "/explain", key, "{");
            sent++;
            if (answer.status() == 429) {
                refused = answer;
            } else {
                assertEquals(400, answer.status(), "a malformed body within the limit: " + answer.body());
            }
        }
        assertNotNull(refused, "a 429 within 500 back-to-back requests (burst 20, 10 per second)");
        // other tests of this application may have used part of the key's burst (RateLimiterTest checks it exactly)
        assertTrue(sent > 1, "requests within the limit pass before the first 429, found one after " + sent);
        long retryAfter = Long.parseLong(refused.headers().get("retry-after"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After in whole seconds: " + retryAfter);
        JsonNode error = refused.json();
        assertEquals("rate-limited", error.get("reason").asText());
        assertEquals(429, error.get("status").asInt());
        assertTrue(error.get("message").asText().contains("per API key"), error.toString());
        assertTrue(refusedExplains() >= refusedBefore + 1, "the refusal is counted");
        String metrics = given().get("/q/metrics").asString();
        metrics.lines().filter(line -> line.startsWith("lrp_api_rate_limited_total")).forEach(line ->
                assertTrue(line.matches("lrp_api_rate_limited_total\\{endpoint=\"(explain|replays)\"} .*"),
                        "labels only from the code, never a key: " + line));
        Await.until(Duration.ofSeconds(10), "the bucket to refill", () -> {
            try {
                return raw("POST", "/explain", key, "{").status() == 400;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private double refusedExplains() {
        return given().get("/q/metrics").asString().lines()
                .filter(line -> line.startsWith("lrp_api_rate_limited_total{endpoint=\"explain\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(0);
    }

    private JsonNode replayError(String body, String reason) throws Exception {
        Response response = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body(body).post("/replays");
        assertEquals(400, response.statusCode(), body + ": " + response.asString());
        JsonNode error = JSON.readTree(response.asString());
        assertEquals(reason, error.get("reason").asText(), error.toString());
        return error;
    }

    private static void assertError(RawAnswer answer, int status, String reason, String mentioned)
            throws IOException {
        assertEquals(status, answer.status(), answer.body());
        JsonNode error = answer.json();
        assertEquals(status, error.get("status").asInt(), answer.body());
        assertEquals(reason, error.get("reason").asText(), answer.body());
        assertTrue(error.get("message").asText().contains(mentioned), "the message mentions " + mentioned + ": "
                + answer.body());
    }

    /**
     * Sends one request as written (no client normalises the target) and reads the answer: status, headers (names in
     * lower case) and as much body as Content-Length announces.
     */
    private RawAnswer raw(String method, String target, Map<String, String> headers, String body)
            throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method).append(' ').append(target)
                .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        if (!headers.containsKey("Content-Length") && (content.length > 0 || !method.equals("GET"))) {
            request.append("Content-Length: ").append(content.length).append("\r\n");
        }
        return exchange(request.append("\r\n").toString(), content);
    }

    /** Writes the request head and body as given and reads the answer. */
    private RawAnswer exchange(String head, byte[] content) throws IOException {
        try (Socket socket = new Socket("localhost", service.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                answerHeaders.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).strip());
            }
            String length = answerHeaders.get("content-length");
            byte[] answerBody = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
            return new RawAnswer(Integer.parseInt(statusLine.split(" ")[1]), answerHeaders,
                    new String(answerBody, StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
