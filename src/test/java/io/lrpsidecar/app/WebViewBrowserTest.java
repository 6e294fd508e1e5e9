package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
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
 * the token heatmap.
 */
@QuarkusTest
@QuarkusTestResource(value = TextModelBrokerResource.class, restrictToAnnotatedClass = true)
class WebViewBrowserTest {
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");

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
