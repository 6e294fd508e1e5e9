package io.lrpsidecar.bench;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ExplainTopology;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.StreamMetrics;
import io.lrpsidecar.stream.StreamTopics;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.stream.TopologySettings;
import io.lrpsidecar.testing.PlainJvmLogging;
import io.lrpsidecar.testing.TestBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The sidecar stream against its pass-through ceiling ({@link PassThroughTopology}), in one run through an in-JVM
 * single-node KRaft broker. Per model, a backlog is published once; every measurement is a fresh Kafka Streams
 * application over it (exactly_once_v2, 20 ms commit interval, one partition, one stream thread) writing to topics of
 * its own, so no application reads another's outputs. After one warm-up round (whose sidecar outputs the ceiling
 * replays), {@value #REPEATS} rounds measure ceiling and sidecar in alternating order; reported are the medians, the
 * ranges and the median of the per-round ratios sidecar/ceiling. Throughput is counted between the first and the
 * last explanation a read_committed consumer sees. Then, for digits: the latency from send to the explanation's
 * commit at half the ceiling's median rate, and heap after GC and RSS while {@code rows} events stream through.
 * With {@code vgg64} selected: the stream against the offline explainer (the same served model, batches of 32),
 * alternating. Run with {@code mvn -B -Pbench -DskipTests verify
 * -Dbench.main=io.lrpsidecar.bench.StreamCeilingBenchmark -Dbench.output=target/stream-ceiling.md} (arguments:
 * report file, rows for the memory phase, a regular expression over {@code cnn_digits}, {@code mlp_tabular},
 * {@code latency}, {@code memory} and {@code vgg64}). The environment variable {@code BENCH_STREAMS}
 * ({@code key=value,...}) adds a third contender: the sidecar with those Kafka Streams settings.
 */
public final class StreamCeilingBenchmark {
    /** Measured rounds ({@code -Dbench.repeats} when the JVM is started by hand). */
    private static final int REPEATS = Integer.getInteger("bench.repeats", 7);
    private static final int THREADS = 2;
    private static final int COMMIT_INTERVAL_MS = 20;
    private static final Duration MAX_WAIT = Duration.ofMillis(20);
    private static final int DISTINCT_INPUTS = 256;
    private static final String CEILING = "ceiling";
    private static final String SIDECAR = "sidecar";
    private static final String TUNED = "sidecar+BENCH_STREAMS";

    private final String bootstrap;
    private int applications;

    private StreamCeilingBenchmark(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** One topology under test: its name, how it is built on a round's topics, and its extra Streams settings. */
    private record Contender(String name, Function<StreamTopics, Topology> topology, Map<String, String> overrides) {
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        Path output = Path.of(args.length > 0 ? args[0] : "target/stream-ceiling.md");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        String only = args.length > 2 ? args[2] : ".*";
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "load average at start: %s%n%n", loadAverage()));
        report.append("| model | events | contender | events/s (median) | min-max | ratio to ceiling (median of "
                + "paired rounds) | paired ratios min-max | output records/event | output bytes/event |\n"
                + "|---|---:|---|---:|---|---:|---|---:|---:|\n");
        double digitsCeiling = 0;
        if ("mlp_tabular".matches(only)) {
            report.append(compare("mlp_tabular", model("mlp_tabular"), 30_000).table());
        }
        if ("cnn_digits".matches(only)) {
            Comparison digits = compare("cnn_digits", model("cnn_digits"), 30_000);
            report.append(digits.table());
            digitsCeiling = digits.ceilingMedian();
        }
        if ("latency".matches(only)) {
            report.append('\n').append(latency(model("cnn_digits"), digitsCeiling > 0 ? digitsCeiling / 2 : 8_000));
        }
        if ("memory".matches(only)) {
            report.append('\n').append(memory(model("cnn_digits"), rows));
        }
        if ("vgg64".matches(only)) {
            report.append('\n').append(againstOffline("vgg64", BenchmarkModels.vgg64(), 600));
        }
        report.append(String.format(Locale.ROOT, "%nload average at end: %s%n", loadAverage()));
        Files.writeString(output, report.toString());
        System.out.println(report);
    }

    private static Graph model(String name) {
        return OnnxModelReader.read(Path.of("src/test/resources/reference/" + name + "/model.onnx"));
    }

    /** The medians and paired ratios of one model's rounds, as table rows. */
    private record Comparison(String table, double ceilingMedian) {
    }

    private static Comparison compare(String name, Graph graph, int events) throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("predictions", "predictions-replay"), 1);
                ModelRegistry registry = registry(name, graph)) {
            StreamCeilingBenchmark bench = new StreamCeilingBenchmark(cluster.bootstrapServers());
            List<PredictionEvent> inputs = FaithfulnessBenchmark.inputs(name, ExplainableModel.prepare(graph, true),
                    shape(graph));
            bench.publish("predictions", inputs, "backlog-", events);
            Contender sidecar = new Contender(SIDECAR, topics -> sidecar(topics, registry), Map.of());
            StreamTopics warmTopics = bench.roundTopics("predictions");
            System.out.printf(Locale.ROOT, "%s %s warm-up: %.0f events/s%n", name, SIDECAR,
                    bench.measure(sidecar, warmTopics, events));
            PassThroughTopology.RecordedOutputs recorded = PassThroughTopology.RecordedOutputs.read(
                    cluster.bootstrapServers(), warmTopics);
            Contender ceiling = new Contender(CEILING, topics -> PassThroughTopology.build(topics, recorded),
                    Map.of());
            List<Contender> contenders = new ArrayList<>(List.of(ceiling, sidecar));
            Map<String, String> tuned = StreamBenchmark.streamsOverrides();
            if (!tuned.isEmpty()) {
                contenders.add(new Contender(TUNED, topics -> sidecar(topics, registry), tuned));
            }
            System.out.printf(Locale.ROOT, "%s %s warm-up: %.0f events/s%n", name, CEILING,
                    bench.measure(ceiling, bench.roundTopics("predictions"), events));
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            for (int round = 0; round < REPEATS; round++) {
                List<Contender> order = new ArrayList<>(contenders);
                if (round % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Contender contender : order) {
                    double rate = bench.measure(contender, bench.roundTopics("predictions"), events);
                    rates.computeIfAbsent(contender.name(), ignored -> new ArrayList<>()).add(rate);
                    System.out.printf(Locale.ROOT, "%s %s round %d: %.0f events/s%n", name, contender.name(),
                            round + 1, rate);
                }
            }
            StringBuilder table = new StringBuilder();
            for (Contender contender : contenders) {
                List<Double> own = rates.get(contender.name());
                List<Double> paired = ratios(own, rates.get(CEILING));
                boolean isCeiling = contender.name().equals(CEILING);
                table.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f-%.0f | %s | %s | %s | %s |%n",
                        name, events, contender.name() + (contender.overrides().isEmpty() ? ""
                                : " " + contender.overrides()), FaithfulnessBenchmark.median(own),
                        Collections.min(own), Collections.max(own),
                        isCeiling ? "1" : String.format(Locale.ROOT, "%.3f", FaithfulnessBenchmark.median(paired)),
                        isCeiling ? "" : String.format(Locale.ROOT, "%.3f-%.3f", Collections.min(paired),
                                Collections.max(paired)),
                        isCeiling ? String.format(Locale.ROOT, "%.2f", recorded.recordsPerEvent()) : "",
                        isCeiling ? String.format(Locale.ROOT, "%.0f", recorded.bytesPerEvent()) : ""));
            }
            return new Comparison(table.toString(), FaithfulnessBenchmark.median(rates.get(CEILING)));
        }
    }

    private static List<Double> ratios(List<Double> a, List<Double> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return ratios;
    }

    private static ModelRegistry registry(String name, Graph graph) {
        ModelRegistry registry = new ModelRegistry();
        registry.add(new ServedModel(name, "1", "bench", ExplainableModel.load(OnnxModelWriter.write(graph)),
                new ModelSettings("epsilon-plus-flat", TargetPolicy.PREDICTED, List.of(), 32, MAX_WAIT, 10.0, 0.0,
                        1e9, 1 << 24, 5), new RuntimeSettings(DeviceChoice.CPU, THREADS, 1),
                new CompositeParser(file -> null)));
        return registry;
    }

    private static Topology sidecar(StreamTopics topics, ModelRegistry registry) {
        return ExplainTopology.build(topics, registry, TopologySettings.defaults(),
                new StreamMetrics(new SimpleMeterRegistry()));
    }

    private static List<Long> shape(Graph graph) {
        return ExplainableModel.prepare(graph, true).rowShape().stream().map(Long::valueOf).toList();
    }

    /** Fresh output topics for the next application; the prediction topics given. */
    private StreamTopics roundTopics(String predictions) throws Exception {
        int round = ++applications;
        StreamTopics topics = new StreamTopics(predictions, "explanations-" + round, "explanation-metrics-" + round,
                "predictions-flagged-" + round, "predictions-dlq-" + round, "predictions-replay",
                "explanations-replay-" + round);
        createTopics(List.of(topics.explanations(), topics.metrics(), topics.flagged(), topics.deadLetters(),
                topics.explanationsReplay()));
        return topics;
    }

    private void createTopics(List<String> names) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(names.stream().map(topic -> new NewTopic(topic, 1, (short) 1)).toList()).all().get();
        }
    }

    private void publish(String topic, List<PredictionEvent> inputs, String idPrefix, int events) {
        AvroSerde<PredictionEvent> serde = new AvroSerde<>(PredictionEvent.getClassSchema());
        try (KafkaProducer<byte[], byte[]> producer = producer(5)) {
            for (int i = 0; i < events; i++) {
                producer.send(record(topic, serde, inputs.get(i % DISTINCT_INPUTS), idPrefix + i));
            }
            producer.flush();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, AvroSerde<PredictionEvent> serde,
            PredictionEvent input, String id) {
        PredictionEvent event = PredictionEvent.newBuilder(input).setEventId(id).setEventTime(Instant.now()).build();
        return new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), serde.encode(event));
    }

    private KafkaProducer<byte[], byte[]> producer(int lingerMs) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, lingerMs), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaStreams start(Contender contender, StreamTopics topics) throws Exception {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "lrp-ceiling-bench-" + applications);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("lrp-ceiling-bench").toString());
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        properties.putAll(contender.overrides());
        KafkaStreams streams = new KafkaStreams(contender.topology().apply(topics), properties);
        streams.start();
        return streams;
    }

    /** Events per second of a fresh application of {@code contender} over the backlog, counted over its first ones. */
    private double measure(Contender contender, StreamTopics topics, int counted) throws Exception {
        try (KafkaConsumer<String, byte[]> reader = reader(topics.explanations())) {
            KafkaStreams streams = start(contender, topics);
            long first = 0;
            long last = 0;
            int seen = 0;
            while (seen < counted) {
                for (ConsumerRecord<String, byte[]> ignored : reader.poll(Duration.ofMillis(100))) {
                    if (seen++ == 0) {
                        first = System.nanoTime();
                    }
                    last = System.nanoTime();
                }
            }
            streams.close(Duration.ofSeconds(30));
            return (seen - 1) / ((last - first) / 1e9);
        }
    }

    private KafkaConsumer<String, byte[]> reader(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        return consumer;
    }

    /**
     * Latency from each event's send to its explanation's arrival at a read_committed consumer (so, after the
     * commit that carries it), with events published at {@code rate} per second for 12 s; the first 2 s are not
     * counted. The target is max-wait + 3 x the median batch compute time the explanations report.
     */
    private static String latency(Graph graph, double rate) throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("predictions-paced", "predictions-replay"), 1);
                ModelRegistry registry = registry("cnn_digits", graph)) {
            StreamCeilingBenchmark bench = new StreamCeilingBenchmark(cluster.bootstrapServers());
            List<PredictionEvent> inputs = FaithfulnessBenchmark.inputs("cnn_digits",
                    ExplainableModel.prepare(graph, true), shape(graph));
            StreamTopics topics = bench.roundTopics("predictions-paced");
            AvroSerde<PredictionEvent> serde = new AvroSerde<>(PredictionEvent.getClassSchema());
            AvroSerde<Explanation> explanations = new AvroSerde<>(Explanation.getClassSchema());
            int total = (int) (rate * 12);
            int counted = (int) (rate * 10);
            Map<String, Long> sentAt = new HashMap<>();
            List<Double> latencies = new ArrayList<>();
            List<Double> computeMs = new ArrayList<>();
            List<Double> batchSizes = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = bench.producer(0);
                    KafkaConsumer<String, byte[]> reader = bench.reader(topics.explanations())) {
                KafkaStreams streams = bench.start(new Contender(SIDECAR, t -> sidecar(t, registry), Map.of()),
                        topics);
                long interval = (long) (1e9 / rate);
                long next = System.nanoTime();
                int published = 0;
                int received = 0;
                while (received < total) {
                    while (published < total && System.nanoTime() >= next) {
                        String id = "paced-" + published;
                        sentAt.put(id, System.nanoTime());
                        producer.send(record(topics.predictions(), serde, inputs.get(published % DISTINCT_INPUTS),
                                id));
                        published++;
                        next += interval;
                    }
                    for (ConsumerRecord<String, byte[]> explanation : reader.poll(Duration.ofMillis(1))) {
                        long arrived = System.nanoTime();
                        int index = Integer.parseInt(explanation.key().substring("paced-".length()));
                        received++;
                        if (index >= total - counted) {
                            latencies.add((arrived - sentAt.get(explanation.key())) / 1e6);
                            if (index % 16 == 0) {
                                var timings = explanations.decode(explanation.value()).getTimings();
                                computeMs.add(timings.getComputeMs());
                                batchSizes.add((double) timings.getBatchSize());
                            }
                        }
                    }
                }
                streams.close(Duration.ofSeconds(30));
            }
            double compute = FaithfulnessBenchmark.median(computeMs);
            return String.format(Locale.ROOT, "| model | rate (events/s) | events counted | p50 ms | p99 ms "
                    + "| max ms | batch compute ms (median) | batch size (median) | target: max-wait + 3 x compute ms "
                    + "|%n|---|---:|---:|---:|---:|---:|---:|---:|---:|%n| cnn_digits | %.0f | %d | %.1f | %.1f "
                    + "| %.1f | %.2f | %.0f | %.1f |%n", rate, latencies.size(), percentile(latencies, 0.5),
                    percentile(latencies, 0.99), Collections.max(latencies), compute,
                    FaithfulnessBenchmark.median(batchSizes), MAX_WAIT.toMillis() + 3 * compute);
        }
    }

    /**
     * Heap after GC and RSS while {@code rows} digits events stream through the sidecar, published in ten chunks;
     * sampled after each chunk's explanations have all arrived.
     */
    private static String memory(Graph graph, int rows) throws Exception {
        StringBuilder table = new StringBuilder("| rows explained | heap after GC MiB | RSS MiB |\n|---:|---:|---:|\n");
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("predictions-memory", "predictions-replay"), 1);
                ModelRegistry registry = registry("cnn_digits", graph)) {
            StreamCeilingBenchmark bench = new StreamCeilingBenchmark(cluster.bootstrapServers());
            List<PredictionEvent> inputs = FaithfulnessBenchmark.inputs("cnn_digits",
                    ExplainableModel.prepare(graph, true), shape(graph));
            StreamTopics topics = bench.roundTopics("predictions-memory");
            table.append(String.format(Locale.ROOT, "| 0 | %.1f | %.0f |%n", heapAfterGc(), ProcessMemory.rssMiB()));
            int chunk = Math.max(1, rows / 10);
            try (KafkaConsumer<String, byte[]> reader = bench.reader(topics.explanations())) {
                KafkaStreams streams = bench.start(new Contender(SIDECAR, t -> sidecar(t, registry), Map.of()),
                        topics);
                int seen = 0;
                for (int from = 0; from < rows; from += chunk) {
                    int to = Math.min(rows, from + chunk);
                    AvroSerde<PredictionEvent> serde = new AvroSerde<>(PredictionEvent.getClassSchema());
                    try (KafkaProducer<byte[], byte[]> producer = bench.producer(5)) {
                        for (int i = from; i < to; i++) {
                            producer.send(record(topics.predictions(), serde, inputs.get(i % DISTINCT_INPUTS),
                                    "memory-" + i));
                        }
                    }
                    while (seen < to) {
                        seen += reader.poll(Duration.ofMillis(200)).count();
                    }
                    String line = String.format(Locale.ROOT, "| %d | %.1f | %.0f |%n", seen, heapAfterGc(),
                            ProcessMemory.rssMiB());
                    System.out.print(line);
                    table.append(line);
                }
                streams.close(Duration.ofSeconds(30));
            }
        }
        return table.toString();
    }

    private static double heapAfterGc() {
        System.gc();
        System.gc();
        return ProcessMemory.heapUsedMiB();
    }

    /**
     * The stream against the offline explainer on the same served model (batches of 32 explained back to back for
     * 3 s), alternating over {@value #REPEATS} rounds after a warm-up round.
     */
    private static String againstOffline(String name, Graph graph, int events) throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("predictions", "predictions-replay"), 1);
                ModelRegistry registry = registry(name, graph)) {
            StreamCeilingBenchmark bench = new StreamCeilingBenchmark(cluster.bootstrapServers());
            ExplainableModel model = ExplainableModel.prepare(graph, true);
            List<PredictionEvent> inputs = FaithfulnessBenchmark.inputs(name, model, shape(graph));
            bench.publish("predictions", inputs, "backlog-", events);
            ServedModel served = registry.find(name, "1").orElseThrow();
            Tensor batch = offlineBatch(model, inputs);
            Contender sidecar = new Contender(SIDECAR, topics -> sidecar(topics, registry), Map.of());
            List<Double> stream = new ArrayList<>();
            List<Double> offline = new ArrayList<>();
            for (int round = -1; round < REPEATS; round++) {
                boolean offlineFirst = Math.floorMod(round, 2) == 0;
                double offlineRate = 0;
                if (offlineFirst) {
                    offlineRate = offline(served, batch);
                }
                double streamRate = bench.measure(sidecar, bench.roundTopics("predictions"), events);
                if (!offlineFirst) {
                    offlineRate = offline(served, batch);
                }
                System.out.printf(Locale.ROOT, "%s round %d%s: stream %.1f, offline %.1f explanations/s%n", name,
                        round + 1, round < 0 ? " (warm-up)" : "", streamRate, offlineRate);
                if (round >= 0) {
                    stream.add(streamRate);
                    offline.add(offlineRate);
                }
            }
            List<Double> paired = ratios(stream, offline);
            return String.format(Locale.ROOT, "| model | events | stream explanations/s (median, min-max) "
                    + "| offline (median, min-max) | stream/offline (median of paired rounds) | paired min-max |%n"
                    + "|---|---:|---|---|---:|---|%n| %s | %d | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.3f "
                    + "| %.3f-%.3f |%n", name, events, FaithfulnessBenchmark.median(stream), Collections.min(stream),
                    Collections.max(stream), FaithfulnessBenchmark.median(offline), Collections.min(offline),
                    Collections.max(offline), FaithfulnessBenchmark.median(paired), Collections.min(paired),
                    Collections.max(paired));
        }
    }

    /** The first 32 inputs as one batch. */
    private static Tensor offlineBatch(ExplainableModel model, List<PredictionEvent> inputs) {
        List<Integer> row = model.rowShape();
        int[] shape = new int[row.size() + 1];
        shape[0] = 32;
        for (int axis = 0; axis < row.size(); axis++) {
            shape[axis + 1] = row.get(axis);
        }
        return TensorCodec.rows(inputs.subList(0, 32).stream().map(PredictionEvent::getInput).toList(), shape,
                model.tokenInput());
    }

    private static double offline(ServedModel served, Tensor batch) {
        int batches = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 3_000_000_000L) {
            served.explain(served.composite(null), batch, new Target.Predicted());
            batches++;
        }
        return batches * 32 / ((System.nanoTime() - start) / 1e9);
    }

    private static double percentile(List<Double> values, double quantile) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
