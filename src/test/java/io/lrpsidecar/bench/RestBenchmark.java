package io.lrpsidecar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.testing.PlainJvmLogging;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency and throughput of the query API under 32 concurrent clients while the stream runs: the packaged service
 * (target/quarkus-app) is started in demo mode (embedded broker, demo producer publishing all along), and each client
 * loops over recent event ids requesting {@code GET /explanations/{id}}, then {@code .../heatmap.png?scale=8}. Run
 * with {@code mvn -B -Pbench -DskipTests verify -Dbench.main=io.lrpsidecar.bench.RestBenchmark
 * -Dbench.output=target/rest-benchmark.md}.
 */
public final class RestBenchmark {
    private static final int CLIENTS = 32;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration MEASURE = Duration.ofSeconds(20);
    private static final int PORT = 18181;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        Path output = Path.of(args.length > 0 ? args[0] : "target/rest-benchmark.md");
        Path dataDir = Files.createTempDirectory("lrp-rest-bench");
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx1g", "-Dquarkus.http.port=" + PORT,
                "-Dlrp.embedded.data-dir=" + dataDir.resolve("kafka"), "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("service.log").toFile());
        builder.environment().put("LRP_STATE_DIR", dataDir.resolve("streams").toString());
        Process service = builder.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            List<String> ids = recentIds(http);
            StringBuilder report = new StringBuilder("| endpoint | clients | requests/s | p50 ms | p99 ms | max ms | "
                    + "errors |\n|---|---:|---:|---:|---:|---:|---:|\n");
            report.append(run(http, ids, "GET /explanations/{id}", id -> "/explanations/" + id)).append('\n');
            report.append(run(http, ids, "GET /explanations/{id}/heatmap.png?scale=8",
                    id -> "/explanations/" + id + "/heatmap.png?scale=8")).append('\n');
            Files.writeString(output, report.toString());
            System.out.println(report);
        } finally {
            service.destroy();
            service.waitFor();
        }
    }

    /** Waits for the service to be ready and to keep 200 explanations; returns their event ids. */
    private static List<String> recentIds(HttpClient http) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> answer = http.send(request("/explanations?limit=200"),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    JsonNode list = JSON.readTree(answer.body());
                    if (list.size() == 200) {
                        List<String> ids = new ArrayList<>();
                        list.forEach(summary -> ids.add(summary.get("eventId").asText()));
                        return ids;
                    }
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the service did not keep 200 explanations within 3 minutes");
    }

    private static String run(HttpClient http, List<String> ids, String name,
            java.util.function.Function<String, String> path) throws Exception {
        load(http, ids, path, WARM_UP);
        Measured measured = load(http, ids, path, MEASURE);
        double[] sorted = measured.latenciesMs().clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d |", name, CLIENTS,
                sorted.length / (MEASURE.toNanos() / 1e9), percentile(sorted, 0.5), percentile(sorted, 0.99),
                sorted[sorted.length - 1], measured.errors());
    }

    private record Measured(double[] latenciesMs, int errors) {
    }

    private static Measured load(HttpClient http, List<String> ids, java.util.function.Function<String, String> path,
            Duration duration) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        AtomicInteger errors = new AtomicInteger();
        long end = System.nanoTime() + duration.toNanos();
        List<Future<List<Double>>> results = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            int first = client;
            results.add(clients.submit(() -> {
                List<Double> latencies = new ArrayList<>();
                for (int i = first; System.nanoTime() < end; i += CLIENTS) {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> answer = http.send(request(path.apply(ids.get(i % ids.size()))),
                            HttpResponse.BodyHandlers.ofByteArray());
                    latencies.add((System.nanoTime() - start) / 1e6);
                    if (answer.statusCode() != 200) {
                        errors.incrementAndGet();
                    }
                }
                return latencies;
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> result : results) {
            all.addAll(result.get());
        }
        clients.shutdown();
        return new Measured(all.stream().mapToDouble(Double::doubleValue).toArray(), errors.get());
    }

    private static HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path)).timeout(Duration.ofSeconds(10))
                .GET().build();
    }

    private static double percentile(double[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
