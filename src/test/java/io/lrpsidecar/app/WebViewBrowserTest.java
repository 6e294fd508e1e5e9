package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.Await;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web view in a real browser (Debian's Chromium driven by its ChromeDriver, nothing downloaded): the list shows
 * the explained events, a link leads to the event page, and its heatmap image loads; a text model's event page shows
 * the token heatmap; the regulator's report shows the decision, a raw value, the model's hash and what relevance is
 * not, and prints without navigation; a refused replay shows the service's message, a started one its progress, its
 * failures by reason and a link that opens the replayed explanation. Screenshots go to {@code target/screenshots/}.
 */
@QuarkusTest
@QuarkusTestResource(value = TextModelBrokerResource.class, restrictToAnnotatedClass = true)
class WebViewBrowserTest {
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/")
    URL home;

    private static ChromeDriver browser() {
        Assumptions.assumeTrue(CHROMEDRIVER.canExecute() && CHROMIUM.canExecute(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void aTextModelsEventPageShowsTheTokenHeatmap() throws Exception {
        ChromeDriver browser = browser();
        Tensor ids = Npy.read(ReferenceCase.folder("text_transformer").resolve("input.npy")).tensor();
        long[] row = Arrays.copyOfRange(ids.longs(), 6 * 12, 7 * 12);
        publish(PredictionEvent.newBuilder().setEventId("web-text-0").setModelName("text").setModelVersion("1")
                .setEventTime(Instant.now()).setInput(TensorCodec.int64(List.of(12L), row)).setReportedClass(0)
                .setAttributes(Map.of()).build());
        List<String> vocabulary = Files.readAllLines(Path.of(getClass().getResource(
                "/vocabulary/text_transformer.txt").toURI()));
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            browser.get(home.toString());
            wait.until(ExpectedConditions.presenceOfElementLocated(By.linkText("web-text-0"))).click();
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#tokens .token"), 12));
            assertTrue(browser.findElement(By.id("token-heatmap")).isDisplayed());
            assertTrue(!browser.findElement(By.id("heatmap")).isDisplayed(), "no image heatmap for tokens");
            List<WebElement> chips = browser.findElements(By.cssSelector("#tokens .token"));
            for (int position = 0; position < 12; position++) {
                WebElement chip = chips.get(position);
                assertEquals(vocabulary.get((int) row[position]), chip.getText(), "chip " + position);
                boolean padding = row[position] == 0;
                assertEquals(padding, chip.getAttribute("class").contains("padding"), "chip " + position);
                if (!padding) {
                    String colour = chip.getCssValue("background-color");
                    assertTrue(colour.startsWith("rgba(255, ") || colour.endsWith(", 255, 1)"),
                            "chip " + position + " is on the red-white-blue scale: " + colour);
                }
            }
            assertTrue(chips.stream().map(chip -> chip.getCssValue("background-color")).anyMatch(colour ->
                    colour.equals("rgba(255, 0, 0, 1)") || colour.equals("rgba(0, 0, 255, 1)")),
                    "the token of largest |relevance| takes the end of the scale");
            assertEquals(5, browser.findElements(By.cssSelector("#tokens .token.padding")).size());
            List<WebElement> bar = browser.findElements(By.cssSelector("#colour-bar-steps .colour-bar-step"));
            assertEquals(21, bar.size());
            assertEquals("rgba(0, 0, 255, 1)", bar.get(0).getCssValue("background-color"));
            assertEquals("rgba(255, 0, 0, 1)", bar.get(20).getCssValue("background-color"));
        } finally {
            browser.quit();
        }
    }

    @Test
    void theListLinksToAnEventPageWhoseHeatmapLoads() throws Exception {
        ChromeDriver browser = browser();
        publishDigits(3);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            browser.get(home.toString());
            wait.until(driver -> driver.findElements(By.partialLinkText("web-digit-")).size() == 3);
            List<WebElement> links = browser.findElements(By.cssSelector("a.event-link"));
            links = links.stream().filter(link -> link.getText().startsWith("web-digit-")).toList();
            String chosen = links.get(0).getText();
            links.get(0).click();
            wait.until(ExpectedConditions.urlContains("/event.html"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("title"), chosen));
            WebElement heatmap = browser.findElement(By.id("heatmap"));
            wait.until(driver -> ((Number) ((JavascriptExecutor) driver).executeScript(
                    "return arguments[0].complete ? arguments[0].naturalWidth : 0", heatmap)).intValue() > 0);
            Number width = (Number) ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth",
                    heatmap);
            assertEquals(256, width.intValue(), "an 8x8 digit is drawn 32 times enlarged");
            assertTrue(browser.findElements(By.cssSelector("#ledger rect")).size() > 0, "the ledger chart is drawn");
        } finally {
            browser.quit();
        }
    }

    @Test
    void theRegulatorsReportShowsDecisionReasonsAndProvenanceAndPrintsWithoutNavigation() throws Exception {
        ChromeDriver browser = browser();
        Tensor rows = Npy.read(Path.of("src", "main", "resources", "demo", "breast_cancer_holdout.npy")).tensor();
        int width = rows.size() / rows.dim(0);
        double[] input = Arrays.copyOfRange(rows.doubles(), 0, width);
        String hostileId = "web-cancer-<img src=x onerror=\"document.body.dataset.injected=1\"><script>";
        for (String id : List.of("web-cancer-0", hostileId)) {
            publish(PredictionEvent.newBuilder().setEventId(id).setModelName("breast_cancer").setModelVersion("2")
                    .setEventTime(Instant.now()).setInput(TensorCodec.float32(List.of((long) width), input))
                    .setReportedClass(0).setAttributes(Map.of()).build());
        }
        JsonNode report = awaitJson("/explanations/web-cancer-0/report");
        JsonNode decision = report.get("decision");
        JsonNode reason = report.get("supporting").size() > 0 ? report.get("supporting").get(0)
                : report.get("opposing").get(0);
        List<Double> mean = TextModelBrokerResource.demoScaler().get("mean");
        List<Double> std = TextModelBrokerResource.demoScaler().get("scale");
        int index = reason.get("index").asInt();
        String rawValue = String.format(java.util.Locale.ROOT, "%.6g", input[index] * std.get(index)
                + mean.get(index));
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(Path.of("src", "main", "resources", "demo", "breast_cancer.onnx"))));
        try {
            browser.manage().window().setSize(new Dimension(1000, 1500));
            browser.get(home.toString() + "explanations/web-cancer-0/report");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("decision-class")));
            String decided = List.of("malignant", "benign").get(decision.get("predictedClass").asInt());
            assertEquals(decided + " (class " + decision.get("predictedClass").asInt() + ")",
                    browser.findElement(By.id("decision-class")).getText());
            double probability = decision.get("probability").asDouble();
            String percent = String.format(java.util.Locale.ROOT, "%.1f%%", 100 * probability);
            assertEquals(percent.equals("100.0%") && probability < 1 ? ">99.9%" : percent,
                    browser.findElement(By.id("decision-probability")).getText(), "probability " + probability);
            assertTrue(browser.findElements(By.cssSelector("td.raw-value")).stream().map(WebElement::getText)
                    .anyMatch(rawValue::equals), "the raw value " + rawValue + " of feature " + index + " is shown");
            assertEquals(sha256, browser.findElement(By.id("model-sha256")).getText());
            assertTrue(browser.findElement(By.id("meaning")).getText().contains("Relevance is not a causal effect"));
            assertTrue(browser.findElement(By.id("report-nav")).isDisplayed(), "navigation on screen");
            screenshot(browser, "report");

            browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
            assertEquals(Boolean.TRUE, browser.executeScript("return matchMedia('print').matches"));
            assertTrue(!browser.findElement(By.id("report-nav")).isDisplayed(), "no navigation in print");
            assertEquals("avoid", browser.executeScript("return getComputedStyle(document.querySelector("
                    + "'table')).breakInside"), "no page break inside a table");
            assertEquals(decided + " (class " + decision.get("predictedClass").asInt() + ")",
                    browser.findElement(By.id("decision-class")).getText(), "the decision is printed");
            screenshot(browser, "report-print");
            browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));

            awaitJson("/explanations/" + encodePath(hostileId) + "/report");
            browser.get(home.toString() + "explanations/" + encodePath(hostileId) + "/report");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("event-id")));
            assertEquals(hostileId, browser.findElement(By.id("event-id")).getText(), "the id shown as text");
            assertEquals(0, browser.findElements(By.tagName("img")).size(), "no markup from the event id");
            assertEquals(0, browser.findElements(By.tagName("script")).size(), "no markup from the event id");
            assertEquals(null, browser.executeScript("return document.body.dataset.injected || null"));
        } finally {
            browser.quit();
        }
    }

    @Test
    void aRefusedReplayIsShownWithTheServicesMessage() throws Exception {
        ChromeDriver browser = browser();
        try {
            browser.manage().window().setSize(new Dimension(1000, 900));
            browser.get(home.toString());
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String[][] refused = {{"MISCLASSIFIED", "epsilon("}, {"MISCLASIFIED", "epsilon"}};
            for (String[] request : refused) {
                String expected = postReplay("{\"flag\": \"" + request[0] + "\", \"composite\": \"" + request[1]
                        + "\"}");
                fillReplayForm(browser, request[0], "", request[1]);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(
                        "#replay-progress .replay-error"), expected));
                String shown = browser.findElement(By.id("replay-progress")).getText();
                assertTrue(shown.startsWith("replay refused (400, "), shown);
                assertTrue(!shown.contains("started") && !shown.contains("running"), shown);
            }
            assertTrue(browser.findElement(By.id("replay-progress")).getText().contains("expected flag one of"));
            fillReplayForm(browser, "MISCLASSIFIED", "", "epsilon(");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(
                    "#replay-progress .replay-error"), "bad-composite: "));
            screenshot(browser, "replay-refused");
        } finally {
            browser.quit();
        }
    }

    @Test
    void aStartedReplayShowsItsProgressAndLinksTheReplayedExplanation() throws Exception {
        ChromeDriver browser = browser();
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        PredictionEvent digit = PredictionEvent.newBuilder().setEventId("web-replay-0").setModelName("digits")
                .setModelVersion("1").setEventTime(Instant.now()).setInput(TensorCodec.float32(List.of(1L, 8L, 8L),
                        Arrays.copyOfRange(digits.doubles(), 0, 64))).setReportedClass(0).setAttributes(Map.of())
                .build();
        publish(digit);
        publish(PredictionEvent.newBuilder(digit).setEventId("web-retired-0").setModelName("retired").build());
        String original = awaitJson("/explanations/web-replay-0").get("composite").asText();
        try {
            browser.manage().window().setSize(new Dimension(1000, 900));
            browser.get(home.toString());
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            fillReplayForm(browser, "", "web-replay-0, web-retired-0", "epsilon");
            wait.until(driver -> "true".equals(driver.findElement(By.id("replay-progress"))
                    .findElements(By.cssSelector(".replay-summary[data-done]")).stream().findFirst()
                    .map(summary -> summary.getAttribute("data-done")).orElse("")));
            String summary = browser.findElement(By.cssSelector(".replay-summary")).getText();
            assertTrue(summary.contains(": 1 of 2 explained, 1 failed, done"), summary);
            WebElement failure = browser.findElement(By.cssSelector(".replay-failure[data-reason=unknown-model]"));
            assertTrue(failure.getText().startsWith("unknown-model (ROUTE): 1, first event web-retired-0: "),
                    failure.getText());
            assertTrue(failure.findElement(By.className("replay-failure-message")).getText()
                    .startsWith("no model 'retired' version '1' is served"), failure.getText());
            assertTrue(browser.getCurrentUrl().contains("#replay="), "the followed replay is in the address");
            browser.executeScript("document.getElementById('replays').scrollIntoView()");
            screenshot(browser, "replay-progress");
            WebElement link = browser.findElement(By.cssSelector("a.replayed-link"));
            assertEquals("web-replay-0", link.getText());
            link.click();
            wait.until(ExpectedConditions.urlContains("/event.html"));
            assertTrue(browser.getCurrentUrl().contains("origin=replay"), browser.getCurrentUrl());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("summary"), "composite epsilon("));
            String shown = browser.findElement(By.id("summary")).getText();
            assertTrue(!original.startsWith("epsilon(") && !shown.contains(original), "the replayed explanation ("
                    + shown + "), not the original (" + original + ")");
        } finally {
            browser.quit();
        }
    }

    private static void fillReplayForm(ChromeDriver browser, String flag, String eventIds, String composite) {
        for (String[] field : new String[][] {{"replay-flag", flag}, {"replay-event-ids", eventIds},
                {"replay-composite", composite}, {"replay-api-key", KafkaBrokerResource.API_KEY}}) {
            WebElement input = browser.findElement(By.id(field[0]));
            input.clear();
            input.sendKeys(field[1]);
        }
        browser.findElement(By.cssSelector("#replay-flagged button[type=submit]")).click();
    }

    /** The message POST /replays refuses {@code body} with (asserting the 400). */
    private String postReplay(String body) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(home.toURI().resolve("replays"))
                .header("Content-Type", "application/json").header("X-API-Key", KafkaBrokerResource.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body()).get("message").asText();
    }

    /** The JSON at {@code path} once it is answered with 200 (the event explained). */
    private JsonNode awaitJson(String path) throws Exception {
        URI uri = URI.create(home.toString() + path.substring(1));
        String[] last = {""};
        Await.until(Duration.ofSeconds(60), path + " to be answered", () -> {
            try {
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(uri).header("Accept",
                        "application/json").build(), HttpResponse.BodyHandlers.ofString());
                last[0] = answer.statusCode() + " " + answer.body();
                return answer.statusCode() == 200;
            } catch (java.io.IOException e) {
                last[0] = e.toString();
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> last[0]);
        return JSON.readTree(last[0].substring(4));
    }

    private static String encodePath(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Writes what the browser shows to {@code target/screenshots/NAME.png}. */
    private static void screenshot(ChromeDriver browser, String name) throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "screenshots"));
        Files.write(folder.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private void publish(PredictionEvent event) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("predictions", event.getEventId().getBytes(StandardCharsets.UTF_8),
                    new AvroSerde<>(PredictionEvent.getClassSchema()).encode(event))).get();
        }
    }

    private void publishDigits(int count) throws Exception {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
        int width = digits.size() / digits.dim(0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                PredictionEvent event = PredictionEvent.newBuilder().setEventId("web-digit-" + i)
                        .setModelName("digits").setModelVersion("1").setEventTime(Instant.now())
                        .setInput(TensorCodec.float32(List.of(1L, 8L, 8L),
                                Arrays.copyOfRange(digits.doubles(), i * width, (i + 1) * width)))
                        .setReportedClass(0).setAttributes(Map.of()).build();
                producer.send(new ProducerRecord<>("predictions", event.getEventId().getBytes(
                        StandardCharsets.UTF_8), events.encode(event))).get();
            }
        }
    }
}
