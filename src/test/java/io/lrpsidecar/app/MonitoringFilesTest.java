package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files name only metrics the service has: every metric in the PromQL of the Grafana dashboard
 * ({@value #DASHBOARD}) and of the alert rules ({@value #ALERTS}) appears in the service's {@code /q/metrics}.
 * Counters and histograms exist only once something was counted, so the test first has events explained (each
 * flagged MISCLASSIFIED and sampled for faithfulness) and one dead-lettered, and a configured model fails to load
 * ({@code lrp_model_load_failed}).
 */
@QuarkusTest
@TestProfile(MonitoringFilesTest.OneBrokenModel.class)
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class MonitoringFilesTest {
    static final String DASHBOARD = "deploy/grafana/dashboards/lrp-sidecar.json";
    static final String ALERTS = "deploy/prometheus/alerts.yml";
    /** Series Prometheus makes itself rather than scrapes. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])[a-zA-Z_:][\\w:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\s*\\)");

    /** Adds a model whose file is not an ONNX model to the broker resource's two, and samples every digits event. */
    public static class OneBrokenModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path broken = Files.createTempFile("broken", ".onnx");
                Files.writeString(broken, "not a model");
                broken.toFile().deleteOnExit();
                return Map.of("lrp.models.broken.file", broken.toString(),
                        "lrp.models.digits.faithfulness.sample", "1");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void everyMetricOfTheDashboardAndTheAlertsIsExposed() throws Exception {
        Map<String, String> used = new TreeMap<>();
        dashboardQueries().forEach(query -> metricNames(query).forEach(name -> used.putIfAbsent(name, DASHBOARD)));
        alertExpressions().forEach(expr -> metricNames(expr).forEach(name -> used.merge(name, ALERTS,
                (first, second) -> first.equals(second) ? first : first + ", " + second)));
        assertFalse(used.isEmpty(), "no metric names found in the monitoring files");

        produceEvents();
        Map<String, String> missing = new TreeMap<>(used);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            missing.keySet().removeAll(exposedNames());
            missing.keySet().removeAll(PROMETHEUS_SERIES);
            if (!missing.isEmpty()) {
                Thread.sleep(500);
            }
        }
        assertEquals(Map.of(), missing, "metric names used by the monitoring files (name=file) but absent from "
                + "/q/metrics");
    }

    @Test
    void metricNamesSkipFunctionsLabelsRangesAndKeywords() {
        assertEquals(Set.of("a_bucket", "b_total", "up"), metricNames("histogram_quantile(0.95, sum by (le, model) "
                + "(rate(a_bucket{job=~\"$job\",x=\"y(z) w\"}[$__rate_interval]))) / on (job) group_left (model) "
                + "b_total offset 5m > bool 1e3 and up"));
    }

    /** Explainable digits events, each with a label other than the reported class, and one undecodable record. */
    private void produceEvents() throws IOException {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        int width = digits.size() / digits.dim(0);
        AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                double[] row = Arrays.copyOfRange(digits.doubles(), i * width, (i + 1) * width);
                PredictionEvent event = PredictionEvent.newBuilder().setEventId("monitoring-" + i)
                        .setModelName("digits").setModelVersion("1").setEventTime(Instant.now())
                        .setInput(TensorCodec.float32(List.of(1L, 8L, 8L), row)).setReportedClass(0).setLabel(1)
                        .setAttributes(Map.of()).build();
                send(producer, event.getEventId(), events.encode(event));
            }
            send(producer, "monitoring-garbage", "not avro".getBytes(StandardCharsets.UTF_8));
            producer.flush();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) {
        producer.send(new ProducerRecord<>("predictions", key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** The names of the samples in the service's Prometheus scrape (histograms with their _bucket/_sum/_count). */
    private Set<String> exposedNames() throws IOException, InterruptedException {
        String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Every {@code expr} of the dashboard's panels, and the selectors of its {@code label_values} variables. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of(DASHBOARD).toFile());
        List<String> queries = new ArrayList<>(dashboard.findValues("expr").stream().map(JsonNode::asText)
                .toList());
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            Matcher labelValues = LABEL_VALUES.matcher(query.isObject() ? query.path("query").asText()
                    : query.asText());
            if (variable.path("type").asText().equals("query") && labelValues.matches()) {
                queries.add(labelValues.group(1));
            }
        }
        return queries;
    }

    /** The {@code expr} of every rule in the alerts file: inline, or a block scalar ({@code |}, {@code >}). */
    private static List<String> alertExpressions() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(ALERTS));
        List<String> expressions = new ArrayList<>();
        Pattern expr = Pattern.compile("^(\\s*)(?:- )?expr:\\s*(.*)$");
        for (int i = 0; i < lines.size(); i++) {
            Matcher match = expr.matcher(lines.get(i));
            if (!match.matches()) {
                continue;
            }
            String value = match.group(2).trim();
            if (!value.matches("[|>][-+]?")) {
                expressions.add(value.replaceAll("^(['\"])(.*)\\1$", "$2"));
                continue;
            }
            int indent = match.group(1).length();
            StringBuilder block = new StringBuilder();
            while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                    || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                block.append(lines.get(++i)).append('\n');
            }
            expressions.add(block.toString());
        }
        return expressions;
    }

    /**
     * The metric names of a PromQL expression: identifiers outside strings, label matchers, ranges and
     * by/without/on/ignoring/group_* label lists that are neither a function (followed by {@code (}) nor a keyword.
     */
    static Set<String> metricNames(String promql) {
        String bare = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`", "\"\"")
                .replaceAll("\\{[^}]*}", "{}")
                .replaceAll("\\[[^]]*]", "[]")
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new HashSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String rest = bare.substring(identifier.end()).stripLeading();
            if (!rest.startsWith("(") && !KEYWORDS.contains(identifier.group().toLowerCase(Locale.ROOT))) {
                names.add(identifier.group());
            }
        }
        return names;
    }
}
