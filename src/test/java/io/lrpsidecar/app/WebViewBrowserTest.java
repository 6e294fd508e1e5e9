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
 * the explained events, a link leads to the event page, and its heatmap image loads.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class WebViewBrowserTest {
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/")
    URL home;

    @Test
    void theListLinksToAnEventPageWhoseHeatmapLoads() throws Exception {
        Assumptions.assumeTrue(CHROMEDRIVER.canExecute() && CHROMIUM.canExecute(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        publishDigits(3);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            browser.get(home.toString());
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("a.event-link"), 3));
            List<WebElement> links = browser.findElements(By.cssSelector("a.event-link"));
            assertTrue(links.stream().map(WebElement::getText).allMatch(id -> id.startsWith("web-digit-")));
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
