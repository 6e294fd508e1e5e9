package io.lrpsidecar.app;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.stream.AvroJson;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.testing.Await;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo service as a new user meets it (no {@code kafka.bootstrap.servers}: the embedded broker, the demo models
 * and the demo producer): the OpenAPI document validates and types its bodies, real answers of {@code POST /explain},
 * {@code GET /explanations/{id}}, the listing and replays validate against the document's schemas, Swagger UI is
 * served, and every curl example of the README, copied from README.md, succeeds with a JSON body.
 */
@QuarkusTest
@TestProfile(DemoServiceApiTest.Demo.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoServiceApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jackson's tree types, which the document once declared as schemas instead of the bodies' forms. */
    private static final Set<String> JACKSON_INTERNALS = Set.of("JsonNode", "ObjectNode", "ArrayNode", "TextNode",
            "ValueNode", "ContainerNode", "JsonNodeType", "NumericNode", "BaseJsonNode");

    /** Demo mode with its state in fresh folders. */
    public static class Demo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("lrp.embedded.data-dir", Files.createTempDirectory("lrp-demo-kafka").toString(),
                        "kafka-streams.state.dir", Files.createTempDirectory("lrp-demo-streams").toString(),
                        "lrp.runtime.threads", "1");
            } catch (IOException e) {
                throw new IllegalStateException("no temporary folder for the demo's state: " + e.getMessage(), e);
            }
        }
    }

    @TestHTTPResource("/")
    java.net.URL service;

    private JsonNode document;
    private String explainedEventId;

    @BeforeAll
    void demoExplainsAndDocumentIsServed() throws Exception {
        io.restassured.RestAssured.port = service.getPort();
        Await.until(Duration.ofSeconds(120), "the demo to explain a digit", () -> {
            var answer = given().queryParam("model", DemoModels.DIGITS).queryParam("limit", 1).get("/explanations");
            if (answer.statusCode() != 200 || answer.jsonPath().getList("$").isEmpty()) {
                return false;
            }
            explainedEventId = answer.jsonPath().getString("[0].eventId");
            return true;
        });
        document = JSON.readTree(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().asString());
    }

    @Test
    void theDocumentValidatesAndTypesEveryBody() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.toString(), null, options);
        assertNotNull(parsed.getOpenAPI(), "swagger-parser reads the document: " + parsed.getMessages());
        assertEquals(List.of(), parsed.getMessages(), "swagger-parser finds nothing wrong in the document");
        assertTrue(document.get("openapi").asText().startsWith("3."), document.get("openapi").asText());

        Set<String> schemas = new HashSet<>();
        document.get("components").get("schemas").fieldNames().forEachRemaining(schemas::add);
        assertTrue(schemas.containsAll(Set.of("PredictionEvent", "Explanation", "Tensor", "ExplanationSummary",
                "ReplayRequest", "ReplayProgress", "ApiError")), "typed schemas, found " + schemas);
        schemas.forEach(name -> assertFalse(JACKSON_INTERNALS.contains(name) || name.endsWith("Node"),
                "a Jackson internal declared as a schema: " + name));

        JsonNode paths = document.get("paths");
        assertEquals("#/components/schemas/PredictionEvent", paths.at("/~1explain/post/requestBody/content/"
                + "application~1json/schema/$ref").asText());
        assertEquals("#/components/schemas/Explanation", paths.at("/~1explain/post/responses/200/content/"
                + "application~1json/schema/$ref").asText());
        assertEquals("#/components/schemas/Explanation", paths.at("/~1explanations~1{eventId}/get/responses/200/"
                + "content/application~1json/schema/$ref").asText());
        assertEquals("#/components/schemas/ApiError", paths.at("/~1explain/post/responses/4XX/content/"
                + "application~1json/schema/$ref").asText());

        JsonNode scheme = document.at("/components/securitySchemes/apiKey");
        assertEquals("apiKey", scheme.get("type").asText(), scheme.toString());
        assertEquals("header", scheme.get("in").asText(), scheme.toString());
        assertEquals("X-API-Key", scheme.get("name").asText(), scheme.toString());
        for (String write : List.of("/~1explain/post", "/~1replays/post")) {
            assertTrue(paths.at(write + "/security").toString().contains("\"apiKey\""), write + " needs the key: "
                    + paths.at(write));
        }
        assertFalse(paths.at("/~1explanations~1{eventId}/get/security").toString().contains("apiKey"),
                "reading needs no key");

        List<String> parameters = new ArrayList<>();
        paths.forEach(path -> path.forEach(operation -> operation.path("parameters").forEach(parameter ->
                parameters.add(parameter.get("name").asText()))));
        assertTrue(parameters.containsAll(List.of("eventId", "composite", "model", "flag", "limit")), parameters
                .toString());
        assertFalse(parameters.contains("local"), "the instances' internal forwarding flag is hidden: " + parameters);
    }

    @Test
    void explainAndGetExplanationAnswersValidateAgainstTheDocument() throws Exception {
        JsonNode stored = JSON.readTree(given().get("/explanations/" + explainedEventId).then().statusCode(200)
                .extract().asString());
        assertValid("Explanation", stored);
        assertValid("ExplanationSummaries", JSON.readTree(given().queryParam("limit", 5).get("/explanations")
                .then().statusCode(200).extract().asString()));

        ObjectNode broken = stored.deepCopy();
        broken.remove("eventId");
        broken.put("relevance", "not a tensor");
        assertEquals(2, violations("Explanation", broken).size(), "the schema is not vacuous: it finds the missing "
                + "eventId and the relevance that is no tensor");

        JsonNode event = AvroJson.toJson(publishedEvent(explainedEventId));
        assertValid("PredictionEvent", event);
        JsonNode explained = JSON.readTree(given().contentType(ContentType.JSON).body(event.toString())
                .post("/explain").then().statusCode(200).extract().asString());
        assertValid("Explanation", explained);
        assertEquals(explainedEventId, explained.get("eventId").asText());
        assertEquals(stored.get("relevance").get("shape"), explained.get("relevance").get("shape"));
        assertEquals(stored.get("predictedClass"), explained.get("predictedClass"));

        JsonNode error = JSON.readTree(given().contentType(ContentType.JSON).body("{\"eventId\": 3}")
                .post("/explain").then().statusCode(400).extract().asString());
        assertValid("ApiError", error);
    }

    @Test
    void replayAnswersValidateAgainstTheDocument() throws Exception {
        var started = given().contentType(ContentType.JSON)
                .body("{\"eventIds\": [\"" + explainedEventId + "\"], \"topic\": \"predictions\"}")
                .post("/replays").then().statusCode(202).extract();
        JsonNode progress = JSON.readTree(started.asString());
        assertValid("ReplayProgress", progress);
        assertValid("ReplayProgress", JSON.readTree(given().get(started.header("Location")).then().statusCode(200)
                .extract().asString()));
    }

    @Test
    void theAttributionProfileOfTheDemoModelFillsWithItsEventsAndAPinMakesItTheBaseline() throws Exception {
        String path = "/models/" + DemoModels.BREAST_CANCER + "/attribution-profile";
        JsonNode[] profile = new JsonNode[1];
        Await.until(Duration.ofSeconds(60), "the demo's breast-cancer events in its attribution profile", () -> {
            profile[0] = profileAt(path);
            return profile[0].at("/current/events").asLong() >= 5;
        });
        assertValid("AttributionProfileView", profile[0]);
        assertEquals("features", profile[0].get("kind").asText());
        assertEquals(DemoModels.breastCancerFeatures().get(7), profile[0].at("/labels/7").asText(),
                "cells are labelled with the configured feature names");
        assertEquals(30, profile[0].at("/current/importance").size());
        double sum = 0;
        for (JsonNode value : profile[0].at("/current/importance")) {
            sum += value.asDouble();
        }
        assertEquals(1, sum, 1e-9, "the current importance is normalised");
        assertEquals(0.10, profile[0].at("/thresholds/ndcgDrift").asDouble(), 1e-12);
        assertEquals(0.02, profile[0].at("/thresholds/jsd").asDouble(), 1e-12);
        assertEquals("first-events", profile[0].at("/baseline/source").asText());
        assertEquals(!profile[0].at("/baseline/complete").asBoolean(), profile[0].at("/scores/jsd").isNull(),
                "scores only once the 1000-event baseline is full: " + profile[0]);

        JsonNode pin = JSON.readTree(given().post(path + "/baseline").then().statusCode(202).extract().asString());
        assertValid("Pin", pin);
        Await.until(Duration.ofSeconds(60), "the pin to reach every partition's profile", () -> {
            JsonNode pinned = profileAt(path);
            return pinned.at("/baseline/source").asText().equals("pinned") && pinned.at("/baseline/complete")
                    .asBoolean() && !pinned.at("/scores/jsd").isNull();
        });

        JsonNode unknown = JSON.readTree(given().get("/models/no-such-model/attribution-profile").then()
                .statusCode(404).extract().asString());
        assertValid("ApiError", unknown);
        assertTrue(unknown.get("message").asText().contains("'no-such-model'") && unknown.get("message").asText()
                .contains(DemoModels.BREAST_CANCER), unknown.toString());
        given().post("/models/no-such-model/attribution-profile/baseline").then().statusCode(404);
        assertEquals("#/components/schemas/AttributionProfileView", document.at("/paths/~1models~1{model}~1"
                + "attribution-profile/get/responses/200/content/application~1json/schema/$ref").asText());
        assertTrue(document.at("/paths/~1models~1{model}~1attribution-profile~1baseline/post/security").toString()
                .contains("\"apiKey\""), "pinning needs the key");
    }

    @Test
    void swaggerUiIsServedInTheDemo() {
        String page = given().get("/q/swagger-ui/").then().statusCode(200).extract().asString();
        assertTrue(page.toLowerCase(java.util.Locale.ROOT).contains("swagger"), page);
    }

    /**
     * Each example is retried until it succeeds (up to 60 s): the demo explains its events asynchronously, so an
     * example naming an event, or flagged events, may run before they exist.
     */
    @Test
    void everyCurlExampleOfTheReadmeSucceedsWithAJsonBody() throws Exception {
        List<String> commands = ReadmeExamples.curlCommands(Files.readString(Path.of("README.md"),
                StandardCharsets.UTF_8));
        assertTrue(commands.size() >= 3, "the README's curl examples: " + commands);
        for (String command : commands) {
            CurlAnswer[] last = {null};
            Await.until(Duration.ofSeconds(60), "the README example " + command + " to answer 2xx",
                    () -> (last[0] = curl(command)).succeeded(), () -> String.valueOf(last[0]));
            JsonNode json = JSON.readTree(last[0].body());
            assertTrue(json != null && (json.isObject() || json.isArray()), "a JSON body for " + command + ": "
                    + last[0].body());
        }
    }

    /** What curl printed: the status and the body. */
    private record CurlAnswer(int exitCode, String status, String body) {
        boolean succeeded() {
            return exitCode == 0 && status.matches("2\\d\\d");
        }
    }

    /** Runs a README curl command against this service, as written but for the port. */
    private CurlAnswer curl(String command) {
        try {
            Path body = Files.createTempFile("lrp-readme-example", ".json");
            String local = command.replace("localhost:8080", "localhost:" + service.getPort())
                    .replace("127.0.0.1:8080", "127.0.0.1:" + service.getPort());
            String run = "curl -sS -o '" + body + "' -w '%{http_code}'" + local.substring("curl".length());
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", run).redirectErrorStream(true);
            builder.environment().put("LRP_API_KEY", "");
            Process process = builder.start();
            String status = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished: " + command);
            return new CurlAnswer(process.exitValue(), status, Files.readString(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode profileAt(String path) {
        try {
            return JSON.readTree(given().get(path).then().statusCode(200).extract().asString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assertValid(String component, JsonNode value) {
        Set<ValidationMessage> found = violations(component, value);
        assertTrue(found.isEmpty(), "expected a valid " + component + ", found " + found + " in " + value);
    }

    private Set<ValidationMessage> violations(String component, JsonNode value) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#/components/schemas/" + component);
        root.set("components", document.get("components"));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root).validate(value);
    }

    /** The prediction event the demo producer published with this id, read off the embedded broker. */
    private static PredictionEvent publishedEvent(String eventId) {
        AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, DemoMode.BOOTSTRAP,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "demo-api-test"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("predictions"));
            Optional<PredictionEvent>[] found = new Optional[] {Optional.empty()};
            Await.until(Duration.ofSeconds(30), "event " + eventId + " in predictions", () -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (eventId.equals(record.key())) {
                        try {
                            found[0] = Optional.of(events.decode(record.value()));
                        } catch (IOException e) {
                            throw new IllegalStateException("the explained event " + eventId + " does not decode", e);
                        }
                    }
                }
                return found[0].isPresent();
            });
            return found[0].orElseThrow();
        }
    }
}
