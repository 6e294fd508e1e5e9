package io.lrpsidecar.app;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.cli.CliLauncher;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroJson;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ReplayHeader;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.TestBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The query API on the real test broker: explanations by id and as heatmaps, the newest list with filters, ad-hoc
 * explanation, replays with another composite (and again, without duplicates), an event's original explanation and
 * the list of all of them, composites named by name, spec or hash, replay progress with failures by reason and links
 * to the replayed explanations, replay refusals with the messages of POST /explain, and the error answers: unknown
 * id 404, bad body 400, missing API key 401, oversized body 413.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiTest {
    private static final int EVENTS = 24;
    private static final int MISCLASSIFIED = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/")
    java.net.URL service;

    private final AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
    private final Map<String, PredictionEvent> published = new HashMap<>();
    private Tensor digits;

    @BeforeAll
    void publishDigitsAndBreastCancer() throws Exception {
        io.restassured.RestAssured.port = service.getPort();
        digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        long[] predicted = Npy.read(ReferenceCase.folder("cnn_digits").resolve("predicted.npy")).tensor()
                .asLongs();
        Tensor breastCancer = Npy.read(ReferenceCase.folder("mlp_tabular").resolve("input.npy")).tensor();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                int row = i % digits.dim(0);
                PredictionEvent.Builder event = PredictionEvent.newBuilder().setEventId("digit-" + i)
                        .setModelName("digits").setModelVersion("1").setEventTime(Instant.now())
                        .setInput(TensorCodec.float32(List.of(1L, 8L, 8L), row(digits, row)))
                        .setReportedClass((int) predicted[row]).setAttributes(Map.of());
                if (i < MISCLASSIFIED) {
                    event.setLabel((int) (predicted[row] + 1) % 10);
                }
                send(producer, event.build());
            }
            int features = breastCancer.size() / breastCancer.dim(0);
            send(producer, PredictionEvent.newBuilder().setEventId("cancer-0").setModelName("breast_cancer")
                    .setModelVersion("2").setEventTime(Instant.now())
                    .setInput(TensorCodec.float32(List.of((long) features), row(breastCancer, 0)))
                    .setReportedClass(0).setAttributes(Map.of()).build());
        }
        String[] last = {""};
        Await.until(Duration.ofSeconds(60), "every published event to be queryable", () ->
                published.keySet().stream().allMatch(id -> {
                    Response answer = given().get("/explanations/" + id);
                    last[0] = id + ": " + answer.statusCode() + " " + answer.asString();
                    return answer.statusCode() == 200;
                }), () -> last[0]);
    }

    private void send(KafkaProducer<byte[], byte[]> producer, PredictionEvent event) throws Exception {
        published.put(event.getEventId(), event);
        producer.send(new ProducerRecord<>("predictions", event.getEventId().getBytes(StandardCharsets.UTF_8),
                events.encode(event))).get();
    }

    private static double[] row(Tensor tensor, int row) {
        int width = tensor.size() / tensor.dim(0);
        return Arrays.copyOfRange(tensor.doubles(), row * width, (row + 1) * width);
    }

    @Test
    void anExplanationByIdMirrorsTheRecord() throws Exception {
        JsonNode explanation = JSON.readTree(given().get("/explanations/digit-3").then().statusCode(200)
                .contentType(ContentType.JSON).extract().asString());
        assertEquals("digit-3", explanation.get("eventId").asText());
        assertEquals("digits", explanation.get("modelName").asText());
        assertEquals(List.of(1, 8, 8), JSON.convertValue(explanation.get("relevance").get("shape"), List.class));
        assertEquals(64, explanation.get("relevance").get("values").size());
        assertTrue(explanation.get("ledger").size() > 0, "the per-layer ledger is included");
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpoint() {
        String document = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        for (String path : List.of("/explanations", "/explanations/{eventId}", "/explanations/{eventId}/heatmap.png",
                "/explain", "/replays", "/replays/{id}")) {
            assertTrue(document.contains("\"" + path + "\""), path + " is documented");
        }
    }

    @Test
    void anUnknownIdIsNotFoundWithAMessage() {
        given().get("/explanations/no-such-event").then().statusCode(404).contentType(ContentType.JSON)
                .body("message", org.hamcrest.Matchers.containsString("no-such-event"));
        given().get("/explanations/no-such-event/heatmap.png").then().statusCode(404);
    }

    @Test
    void theHeatmapOfADigitIsRedWherePositiveAndBlueWhereNegative() throws Exception {
        JsonNode explanation = JSON.readTree(given().get("/explanations/digit-5").asString());
        double[] relevance = new double[64];
        for (int i = 0; i < 64; i++) {
            relevance[i] = explanation.get("relevance").get("values").get(i).asDouble();
        }
        byte[] png = given().queryParam("scale", 8).get("/explanations/digit-5/heatmap.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(64, image.getWidth());
        assertEquals(64, image.getHeight());
        double max = Arrays.stream(relevance).map(Math::abs).max().orElseThrow();
        int positive = 0;
        int negative = 0;
        for (int pixel = 0; pixel < 64; pixel++) {
            int rgb = image.getRGB((pixel % 8) * 8 + 4, (pixel / 8) * 8 + 4);
            int red = (rgb >> 16) & 0xff;
            int blue = rgb & 0xff;
            if (Math.abs(relevance[pixel]) > 0.05 * max) {
                if (relevance[pixel] > 0) {
                    positive++;
                    assertTrue(red == 255 && blue < 255, "pixel " + pixel + " has positive relevance, so red");
                } else {
                    negative++;
                    assertTrue(blue == 255 && red < 255, "pixel " + pixel + " has negative relevance, so blue");
                }
            }
        }
        assertTrue(positive > 0 && negative > 0, "the digit has both positive and negative pixels: " + positive
                + " and " + negative);
        byte[] overlay = given().queryParam("overlay", true).queryParam("scale", 2)
                .get("/explanations/digit-5/heatmap.png").then().statusCode(200).extract().asByteArray();
        assertEquals(16, ImageIO.read(new ByteArrayInputStream(overlay)).getWidth());
        given().queryParam("scale", 0).get("/explanations/digit-5/heatmap.png").then().statusCode(400);
    }

    @Test
    void aTabularExplanationIsDrawnAsFeatureBars() throws Exception {
        byte[] png = given().get("/explanations/cancer-0/heatmap.png").then().statusCode(200).extract()
                .asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(image.getWidth() > image.getHeight(), "a bar chart, wider than tall: " + image.getWidth() + "x"
                + image.getHeight());
        given().queryParam("overlay", true).get("/explanations/cancer-0/heatmap.png").then().statusCode(400);
    }

    @Test
    void theReportIsJsonOrHtmlAsAskedAndOnlyForTabularModels() throws Exception {
        JsonNode report = JSON.readTree(given().accept(ContentType.JSON).get("/explanations/cancer-0/report").then()
                .statusCode(200).contentType(ContentType.JSON).extract().asString());
        assertEquals("cancer-0", report.get("eventId").asText());
        assertEquals("breast_cancer", report.get("model").get("name").asText());
        assertEquals("2", report.get("model").get("version").asText());
        assertEquals(64, report.get("model").get("sha256").asText().length());
        assertTrue(report.get("relevanceMeaning").asText().contains("not a causal effect"), report.toString());
        assertTrue(report.get("supporting").size() + report.get("opposing").size() > 0, report.toString());
        assertEquals("cancer-0", JSON.readTree(given().get("/explanations/cancer-0/report").then().statusCode(200)
                .contentType(ContentType.JSON).extract().asString()).get("eventId").asText(), "*/* gets JSON");
        for (Response page : List.of(given().accept("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
                .get("/explanations/cancer-0/report"), given().queryParam("format", "html")
                .get("/explanations/cancer-0/report"))) {
            assertEquals(200, page.statusCode(), page.asString());
            assertTrue(page.contentType().startsWith("text/html"), page.contentType());
            assertTrue(page.asString().contains("<code id=\"event-id\">cancer-0</code>"), page.asString());
        }
        given().get("/explanations/digit-3/report").then().statusCode(409)
                .body("reason", org.hamcrest.Matchers.equalTo("not-tabular"));
        given().queryParam("format", "pdf").get("/explanations/cancer-0/report").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("found 'pdf'"));
    }

    @Test
    void theNewestAreListedFilteredByModelAndFlag() throws Exception {
        JsonNode all = JSON.readTree(given().queryParam("limit", 100).get("/explanations").then().statusCode(200)
                .extract().asString());
        List<JsonNode> live = new ArrayList<>();
        all.forEach(summary -> {
            if (summary.get("original").asBoolean()) {
                live.add(summary);
            }
        });
        assertEquals(EVENTS + 1, live.size(), "each published event once, besides any replays");
        live.forEach(summary -> assertTrue(summary.get("composite").asText().startsWith("epsilon-plus-flat"),
                "an original has the default composite: " + summary));
        List<String> times = new ArrayList<>();
        all.forEach(summary -> times.add(summary.get("storedAt").asText()));
        List<String> sorted = new ArrayList<>(times);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, times, "newest first");
        JsonNode misclassified = JSON.readTree(given().queryParam("model", "digits")
                .queryParam("flag", "MISCLASSIFIED").queryParam("limit", 100).get("/explanations").asString());
        java.util.Set<String> misclassifiedIds = new java.util.HashSet<>();
        misclassified.forEach(summary -> misclassifiedIds.add(summary.get("eventId").asText()));
        assertEquals(MISCLASSIFIED, misclassifiedIds.size());
        misclassified.forEach(summary -> assertTrue(summary.get("flags").toString().contains("MISCLASSIFIED")));
        assertEquals(3, JSON.readTree(given().queryParam("limit", 3).get("/explanations").asString()).size());
        given().queryParam("flag", "SOMETIMES").get("/explanations").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("SOMETIMES"));
    }

    @Test
    void anAdHocExplanationEqualsTheStreamedOne() throws Exception {
        ObjectNode body = (ObjectNode) AvroJson.toJson(published.get("digit-7"));
        Response response = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body(body.toString()).post("/explain");
        assertEquals(200, response.statusCode(), response.asString());
        JsonNode adHoc = JSON.readTree(response.asString());
        JsonNode streamed = JSON.readTree(given().get("/explanations/digit-7").asString());
        JsonNode streamedValues = streamed.get("relevance").get("values");
        JsonNode adHocValues = adHoc.get("relevance").get("values");
        assertEquals(streamedValues.size(), adHocValues.size());
        for (int i = 0; i < streamedValues.size(); i++) {
            assertEquals(streamedValues.get(i).asDouble(), adHocValues.get(i).asDouble(), 1e-5,
                    "relevance " + i + " (float32 in a batch of several vs alone)");
        }
        assertEquals(streamed.get("targetClass"), adHoc.get("targetClass"));
        JsonNode epsilon = JSON.readTree(given().header("X-API-Key", KafkaBrokerResource.API_KEY)
                .contentType(ContentType.JSON).queryParam("composite", "epsilon").queryParam("target", 2)
                .body(body.toString()).post("/explain").then().statusCode(200).extract().asString());
        assertEquals("epsilon", epsilon.get("composite").asText().replaceAll("\\(.*", ""));
        assertEquals(2, epsilon.get("targetClass").asInt());
    }

    @Test
    void writeEndpointsAnswerErrorsWithMessages() throws Exception {
        String body = AvroJson.toJson(published.get("digit-1")).toString();
        given().contentType(ContentType.JSON).body(body).post("/explain").then().statusCode(401)
                .body("message", org.hamcrest.Matchers.containsString("X-API-Key"));
        given().header("X-API-Key", "wrong").contentType(ContentType.JSON).body(body).post("/explain").then()
                .statusCode(401);
        given().contentType(ContentType.JSON).body("{\"eventId\": \"x\"}").post("/replays").then().statusCode(401);
        given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body("{\"eventId\": 5}").post("/explain").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("eventId"));
        given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body(body.replace("\"digits\"", "\"nobody\"")).post("/explain").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("unknown-model"));
        assertEquals(413, statusOfOversizedPost("/explain", 12_000_000));
        given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON).body("{}")
                .post("/replays").then().statusCode(400).body("message", org.hamcrest.Matchers.containsString(
                        "expected a selection"));
        given().get("/replays/unknown").then().statusCode(404);
    }

    @Test
    void misclassifiedPredictionsReplayWithAnotherCompositeWithoutDuplicates() throws Exception {
        Map<String, JsonNode> first = replayMisclassified();
        assertEquals(MISCLASSIFIED, first.size());
        first.values().forEach(explanation -> assertTrue(explanation.get("composite").asText().startsWith("epsilon"),
                explanation.get("composite").asText()));
        String hash = first.values().iterator().next().get("compositeHash").asText();
        String anId = first.keySet().iterator().next();
        given().queryParam("composite", hash).get("/explanations/" + anId).then().statusCode(200)
                .body("compositeHash", org.hamcrest.Matchers.equalTo(hash));
        replayMisclassified();
        JsonNode listed = JSON.readTree(given().queryParam("limit", 500).queryParam("model", "digits")
                .get("/explanations").asString());
        Map<String, Integer> copies = new HashMap<>();
        listed.forEach(summary -> copies.merge(summary.get("eventId").asText() + "/"
                + summary.get("compositeHash").asText() + "/" + summary.get("original").asBoolean(), 1,
                Integer::sum));
        copies.forEach((key, count) -> assertEquals(1, count, key + " is kept once"));
        assertEquals(EVENTS, copies.keySet().stream().filter(key -> key.endsWith("/true")).count(),
                "each event once live");
        assertEquals(MISCLASSIFIED, copies.keySet().stream().filter(key -> key.endsWith("/" + hash + "/false"))
                .count(), "each misclassified once more, replayed with epsilon");
    }

    @Test
    void theReplayCommandReplaysThroughARunningSidecarAndFollowsIt() throws Exception {
        CliLauncher.Result result = new CliLauncher().launch("replay", "--url", "http://localhost:"
                + service.getPort(), "--api-key", KafkaBrokerResource.API_KEY, "--event-id", "digit-9,digit-10",
                "--topic", "predictions", "--composite", "epsilon-alpha2-beta1", "--wait", "60");
        assertEquals(0, result.exitCode(), result.error());
        JsonNode progress = JSON.readTree(result.output().strip());
        assertEquals(2, progress.get("selected").asInt());
        assertEquals(2, progress.get("explained").asInt());
        assertTrue(progress.get("done").asBoolean());
        CliLauncher.Result refused = new CliLauncher().launch("replay", "--url", "http://localhost:"
                + service.getPort(), "--flag", "MISCLASSIFIED");
        assertEquals(1, refused.exitCode());
        assertEquals(1, refused.error().strip().lines().count(), refused.error());
        assertTrue(refused.error().contains("401"), refused.error());
        CliLauncher.Result nobody = new CliLauncher().launch("replay", "--url", "http://localhost:1",
                "--flag", "MISCLASSIFIED");
        assertEquals(1, nobody.exitCode());
        assertTrue(nobody.error().contains("no sidecar answers"), nobody.error());
    }

    @Test
    void aBadCompositeOrFlagIsRefusedBeforeAnythingIsReplayedWithTheMessagesOfExplain() throws Exception {
        long republishedBefore = recordsIn("predictions-replay");
        String event = AvroJson.toJson(published.get("digit-1")).toString();
        for (String composite : List.of("epsilon(", "no-such-composite", "epsilon-gamma-box",
                "epsilon-gamma-box(low=@/etc/passwd,high=1)")) {
            Response explained = given().header("X-API-Key", KafkaBrokerResource.API_KEY)
                    .contentType(ContentType.JSON).queryParam("composite", composite).body(event).post("/explain");
            assertEquals(400, explained.statusCode(), composite + ": " + explained.asString());
            String expected = explained.jsonPath().getString("message");
            assertTrue(expected.startsWith("bad-composite: "), expected);
            ObjectNode request = JSON.createObjectNode().put("flag", "MISCLASSIFIED").put("composite", composite);
            Response replay = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                    .body(request.toString()).post("/replays");
            assertEquals(400, replay.statusCode(), composite + ": " + replay.asString());
            assertEquals("bad-composite", replay.jsonPath().getString("reason"));
            assertEquals(expected, replay.jsonPath().getString("message"), "the replay's refusal of " + composite
                    + " is the one POST /explain gives");
        }
        CliLauncher.Result badComposite = new CliLauncher().launch("replay", "--url", "http://localhost:"
                + service.getPort(), "--api-key", KafkaBrokerResource.API_KEY, "--flag", "MISCLASSIFIED",
                "--composite", "epsilon(");
        assertEquals(1, badComposite.exitCode(), badComposite.error());
        assertEquals(1, badComposite.error().strip().lines().count(), badComposite.error());
        assertTrue(badComposite.error().contains("(400): bad-composite: "), badComposite.error());
        Response misspelled = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body("{\"flag\": \"MISCLASIFIED\", \"composite\": \"epsilon\"}").post("/replays");
        assertEquals(400, misspelled.statusCode(), misspelled.asString());
        assertEquals("invalid-replay", misspelled.jsonPath().getString("reason"));
        assertTrue(misspelled.jsonPath().getString("message").contains("found 'MISCLASIFIED'"),
                misspelled.asString());
        CliLauncher.Result badFlag = new CliLauncher().launch("replay", "--url", "http://localhost:"
                + service.getPort(), "--api-key", KafkaBrokerResource.API_KEY, "--flag", "MISCLASIFIED");
        assertEquals(1, badFlag.exitCode(), badFlag.error());
        assertEquals(1, badFlag.error().strip().lines().count(), badFlag.error());
        assertTrue(badFlag.error().contains("expected flag one of"), badFlag.error());
        assertEquals(republishedBefore, recordsIn("predictions-replay"), "a refused replay republishes nothing");
    }

    @Test
    void withoutACompositeAnEventsExplanationIsTheOriginalAndTheCompositesListMarksIt() throws Exception {
        JsonNode original = JSON.readTree(given().get("/explanations/digit-11").asString());
        String liveHash = original.get("compositeHash").asText();
        JsonNode plus = replayAndWait("{\"topic\": \"predictions\", \"eventIds\": [\"digit-11\"], "
                + "\"composite\": \"epsilon-plus\"}");
        assertEquals(1, plus.get("explained").asInt(), plus.toString());
        JsonNode same = replayAndWait("{\"topic\": \"predictions\", \"eventIds\": [\"digit-11\"]}");
        assertEquals(liveHash, same.get("explanations").get(0).get("compositeHash").asText(),
                "replayed with the live composite: " + same);
        Response plain = given().get("/explanations/digit-11");
        assertEquals("original", plain.header("X-Lrp-Origin"), "the original, not the newest replay");
        assertEquals("predictions", plain.jsonPath().getString("source.topic"));
        assertEquals(liveHash, plain.jsonPath().getString("compositeHash"));
        JsonNode listed = JSON.readTree(given().get("/explanations/digit-11/composites").then().statusCode(200)
                .extract().asString());
        assertEquals(3, listed.size(), "the original and two replays: " + listed);
        assertTrue(listed.get(0).get("original").asBoolean(), "the original first: " + listed);
        assertEquals(liveHash, listed.get(0).get("compositeHash").asText());
        assertEquals(1, java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                .filter(entry -> entry.get("original").asBoolean()).count(), "one original: " + listed);
        assertEquals(java.util.Set.of(liveHash, plus.get("explanations").get(0).get("compositeHash").asText()),
                java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                        .map(entry -> entry.get("compositeHash").asText()).collect(java.util.stream.Collectors.toSet()));
        for (JsonNode entry : listed) {
            assertTrue(Instant.parse(entry.get("storedAt").asText()).isBefore(Instant.now().plusSeconds(1)));
            Response opened = given().urlEncodingEnabled(false).get(entry.get("url").asText());
            assertEquals(200, opened.statusCode(), entry + ": " + opened.asString());
            assertEquals(entry.get("compositeHash").asText(), opened.jsonPath().getString("compositeHash"));
            assertEquals(entry.get("composite").asText(), opened.jsonPath().getString("composite"));
            boolean isOriginal = entry.get("original").asBoolean();
            assertEquals(isOriginal ? "original" : "replay", opened.header("X-Lrp-Origin"), entry.toString());
            assertEquals(isOriginal ? "predictions" : "predictions-replay", opened.jsonPath().getString(
                    "source.topic"), entry.toString());
        }
        given().get("/explanations/no-such-event/composites").then().statusCode(404);
    }

    @Test
    void aCompositeIsNamedByNameSpecOrHashOnEveryEndpoint() throws Exception {
        String event = AvroJson.toJson(published.get("digit-12")).toString();
        JsonNode byName = explainWith(event, "epsilon-plus");
        String spec = byName.get("composite").asText();
        String hash = byName.get("compositeHash").asText();
        assertTrue(spec.startsWith("epsilon-plus") && !spec.equals("epsilon-plus"), "the canonical spec: " + spec);
        assertEquals(hash, explainWith(event, spec).get("compositeHash").asText(), "POST /explain by spec");
        assertEquals(spec, explainWith(event, hash).get("composite").asText(), "POST /explain by hash");
        Response unknownHash = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .queryParam("composite", "0123456789abcdef").body(event).post("/explain");
        assertEquals(400, unknownHash.statusCode(), unknownHash.asString());
        assertTrue(unknownHash.jsonPath().getString("message").contains("0123456789abcdef"), unknownHash.asString());
        JsonNode replayed = replayAndWait("{\"topic\": \"predictions\", \"eventIds\": [\"digit-12\"], "
                + "\"composite\": \"" + hash + "\"}");
        assertEquals(1, replayed.get("explained").asInt(), replayed.toString());
        assertEquals(hash, replayed.get("explanations").get(0).get("compositeHash").asText(), "a replay by hash");
        assertEquals(spec, replayed.get("explanations").get(0).get("composite").asText());
        for (String named : List.of("epsilon-plus", spec, hash)) {
            Response found = given().queryParam("composite", named).get("/explanations/digit-12");
            assertEquals(200, found.statusCode(), named + ": " + found.asString());
            assertEquals(hash, found.jsonPath().getString("compositeHash"), named);
            assertEquals("replay", found.header("X-Lrp-Origin"));
            given().queryParam("composite", named).get("/explanations/digit-12/heatmap.png").then().statusCode(200)
                    .contentType("image/png");
        }
        Response live = given().queryParam("composite", "epsilon-plus-flat").get("/explanations/digit-12");
        assertEquals("original", live.header("X-Lrp-Origin"), live.asString());
        assertTrue(live.jsonPath().getString("composite").startsWith("epsilon-plus-flat"));
        given().queryParam("composite", "zplus").get("/explanations/digit-12").then().statusCode(404);
        given().queryParam("composite", hash).queryParam("origin", "original").get("/explanations/digit-12").then()
                .statusCode(404);
        given().queryParam("origin", "nowhere").get("/explanations/digit-12").then().statusCode(400)
                .body("reason", org.hamcrest.Matchers.equalTo("bad-parameter"));
        String refusedByExplain = given().header("X-API-Key", KafkaBrokerResource.API_KEY)
                .contentType(ContentType.JSON).queryParam("composite", "epsilon(").body(event).post("/explain")
                .jsonPath().getString("message");
        given().queryParam("composite", "epsilon(").get("/explanations/digit-12").then().statusCode(400)
                .body("reason", org.hamcrest.Matchers.equalTo("bad-composite"))
                .body("message", org.hamcrest.Matchers.equalTo(refusedByExplain));
    }

    @Test
    void aReplaysProgressNamesItsFailuresByReasonAndLinksItsExplanations() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            PredictionEvent digit = published.get("digit-13");
            for (PredictionEvent failing : List.of(PredictionEvent.newBuilder(digit).setEventId("retired-0")
                    .setModelName("retired").build(), PredictionEvent.newBuilder(digit).setEventId("target-0")
                    .setTargetClass(99).build())) {
                producer.send(new ProducerRecord<>("predictions", failing.getEventId().getBytes(
                        StandardCharsets.UTF_8), events.encode(failing))).get();
            }
        }
        JsonNode progress = replayAndWait("{\"topic\": \"predictions\", \"eventIds\": [\"retired-0\", "
                + "\"target-0\", \"digit-13\"], \"composite\": \"epsilon-alpha2-beta1-flat\"}");
        assertEquals(3, progress.get("selected").asInt(), progress.toString());
        assertEquals(1, progress.get("explained").asInt(), progress.toString());
        assertEquals(2, progress.get("failed").asInt(), progress.toString());
        JsonNode unknownModel = progress.get("failures").get("unknown-model");
        assertEquals(1, unknownModel.get("count").asInt(), progress.toString());
        assertEquals("ROUTE", unknownModel.get("stage").asText());
        assertEquals("retired-0", unknownModel.get("firstEventId").asText());
        assertTrue(unknownModel.get("firstMessage").asText().contains("no model 'retired'"), progress.toString());
        JsonNode target = progress.get("failures").get("target-out-of-range");
        assertEquals(1, target.get("count").asInt(), progress.toString());
        assertEquals("target-0", target.get("firstEventId").asText());
        assertTrue(target.get("firstMessage").asText().contains("target class 99"), progress.toString());
        assertEquals(2, progress.get("failures").size(), progress.toString());
        assertEquals(1, progress.get("explanations").size(), progress.toString());
        JsonNode link = progress.get("explanations").get(0);
        assertEquals("digit-13", link.get("eventId").asText());
        Response opened = given().urlEncodingEnabled(false).get(link.get("url").asText());
        assertEquals(200, opened.statusCode(), opened.asString());
        assertEquals("replay", opened.header("X-Lrp-Origin"));
        assertEquals(link.get("compositeHash").asText(), opened.jsonPath().getString("compositeHash"));
        assertTrue(opened.jsonPath().getString("composite").startsWith("epsilon-alpha2-beta1-flat"));
        given().urlEncodingEnabled(false).get(link.get("heatmapUrl").asText()).then().statusCode(200)
                .contentType("image/png");
        CliLauncher.Result cli = new CliLauncher().launch("replay", "--url", "http://localhost:" + service.getPort(),
                "--api-key", KafkaBrokerResource.API_KEY, "--topic", "predictions", "--event-id",
                "retired-0,digit-13", "--wait", "60");
        assertEquals(1, cli.exitCode(), cli.error());
        assertEquals(1, cli.error().strip().lines().count(), cli.error());
        assertTrue(cli.error().contains("1 of 2 replayed events failed: unknown-model (1, first: no model "
                + "'retired'"), cli.error());
        assertEquals(1, JSON.readTree(cli.output().strip()).get("explanations").size(), cli.output());
    }

    private JsonNode explainWith(String event, String composite) throws Exception {
        Response response = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .queryParam("composite", composite).body(event).post("/explain");
        assertEquals(200, response.statusCode(), composite + ": " + response.asString());
        return JSON.readTree(response.asString());
    }

    /** Starts a replay and answers its progress once every selected event is explained or failed. */
    private JsonNode replayAndWait(String body) throws Exception {
        Response started = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body(body).post("/replays");
        assertEquals(202, started.statusCode(), started.asString());
        String id = started.jsonPath().getString("id");
        Await.until(Duration.ofSeconds(60), "replay " + id + " to finish", () ->
                given().get("/replays/" + id).jsonPath().getBoolean("done"));
        return JSON.readTree(given().get("/replays/" + id).asString());
    }

    /** How many records a topic has received (the sum of its partitions' end offsets). */
    private long recordsIn(String topic) {
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = reader.partitionsFor(topic).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList();
            return reader.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The status answered to a POST announcing a body of {@code length} bytes: the server refuses it from the header,
     * before the body is sent (sending it all would only break the pipe the server closes).
     */
    private int statusOfOversizedPost(String path, long length) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", service.getPort())) {
            String request = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-API-Key: " + KafkaBrokerResource.API_KEY + "\r\nContent-Length: " + length + "\r\n\r\n{";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    /** Replays the misclassified digits with epsilon; returns the explanations of the replay by event id. */
    private Map<String, JsonNode> replayMisclassified() throws Exception {
        Response started = given().header("X-API-Key", KafkaBrokerResource.API_KEY).contentType(ContentType.JSON)
                .body("{\"flag\": \"MISCLASSIFIED\", \"composite\": \"epsilon\"}").post("/replays");
        assertEquals(202, started.statusCode(), started.asString());
        String id = started.jsonPath().getString("id");
        assertEquals(MISCLASSIFIED, started.jsonPath().getInt("selected"));
        Await.until(Duration.ofSeconds(60), "replay " + id + " to finish", () ->
                given().get("/replays/" + id).jsonPath().getBoolean("done"));
        given().get("/replays/" + id).then().body("explained", org.hamcrest.Matchers.equalTo(MISCLASSIFIED))
                .body("failed", org.hamcrest.Matchers.equalTo(0));
        Map<String, JsonNode> explained = new HashMap<>();
        AvroSerde<io.lrpsidecar.events.v1.Explanation> serde = new AvroSerde<>(
                io.lrpsidecar.events.v1.Explanation.getClassSchema());
        try (KafkaConsumer<String, byte[]> reader = TestBroker.readCommitted(bootstrap, "explanations-replay",
                "replay-reader-" + id)) {
            Await.until(Duration.ofSeconds(30), "the replay's explanations in explanations-replay", () -> {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (ReplayHeader.of(record.headers()).filter(id::equals).isPresent()) {
                        try {
                            explained.put(record.key(), AvroJson.toJson(serde.decode(record.value())));
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
                return explained.size() == MISCLASSIFIED;
            });
        }
        return explained;
    }
}
