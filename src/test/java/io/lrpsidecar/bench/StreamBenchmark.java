package io.lrpsidecar.bench;

import io.lrpsidecar.testing.PlainJvmLogging;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.Timings;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.StreamTopics;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Sustained throughput and latency of the explain topology through a real (in-JVM, single-node KRaft) broker,
 * against the offline compiled explainer on the same machine. Phase 1 explains a backlog (throughput, heap and RSS);
 * phase 2 publishes at half the measured throughput and measures end-to-end latency from event time to the
 * explanation's arrival at a read_committed consumer. The tabular MLP explains in about a microsecond, so its stream
 * rate is the ceiling of the Kafka pipeline itself on this machine. Run with
 * {@code mvn -B -Pbench -DskipTests verify -Dbench.main=io.lrpsidecar.bench.StreamBenchmark} (arguments: report file,
 * unused, and a regular expression selecting the models); the environment variable {@code BENCH_STREAMS} adds Kafka
 * Streams settings.
 */
public final class StreamBenchmark {
    private static final int THREADS = 2;
    private static final Duration MAX_WAIT = Duration.ofMillis(20);
    /** Every how many explanations the reader decodes one for its timings (decoding all would load the cores). */
    private static final int SAMPLE_EVERY = 16;

    private StreamBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        Path output = Path.of(args.length > 0 ? args[0] : "target/stream-benchmark.md");
        StringBuilder report = new StringBuilder("| model | events | offline explanations/s | stream explanations/s "
                + "| stream/offline | batch compute ms (median) | stream batch size (mean) | stream batch compute ms (median) "
                + "| p50 ms | p99 ms | p99 target ms | heap after GC "
                + "MiB (start -> end) | RSS MiB (start -> end) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        String only = args.length > 2 ? args[2] : ".*";
        if ("mlp_tabular".matches(only)) {
            report.append(run("mlp_tabular", OnnxModelReader.read(Path.of(
                    "src/test/resources/reference/mlp_tabular/model.onnx")), 100_000)).append('\n');
        }
        if ("cnn_digits".matches(only)) {
            report.append(run("cnn_digits", OnnxModelReader.read(Path.of(
                    "src/test/resources/reference/cnn_digits/model.onnx")), 100_000)).append('\n');
        }
        if ("vgg64".matches(only)) {
            report.append(run("vgg64", BenchmarkModels.vgg64(), 20_000)).append('\n');
        }
        Files.writeString(output, report.toString());
        System.out.println(report);
    }

    private static String run(String name, Graph graph, int events) throws Exception {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        int[] row = model.rowShape().stream().mapToInt(Integer::intValue).toArray();
        Offline measured = offline(model);
        double offline = measured.explanationsPerSecond();
        SampleInputs samples = measured.samples();
        double medianBatchMs = 32_000.0 / offline;
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 1);
                ModelRegistry registry = new ModelRegistry()) {
            String bootstrap = cluster.bootstrapServers();
            StreamTopics topics = StreamTopics.defaults();
            registry.add(new ServedModel(name, "1", "bench", ExplainableModel.load(OnnxModelWriter.write(graph)),
                    new ModelSettings("epsilon-plus-flat", TargetPolicy.PREDICTED, List.of(), 32, MAX_WAIT, 10.0,
                            0.0, 1e9, 1 << 24, 5), new RuntimeSettings(DeviceChoice.CPU, THREADS, 1),
                    new CompositeParser(file -> null)));
            AvroSerde<PredictionEvent> serde = new AvroSerde<>(PredictionEvent.getClassSchema());
            AvroSerde<Explanation> explanations = new AvroSerde<>(Explanation.getClassSchema());
            List<Long> shape = Arrays.stream(row).mapToObj(Long::valueOf).toList();
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
                    KafkaConsumer<byte[], byte[]> reader = reader(bootstrap, topics.explanations())) {
                for (int i = 0; i < events; i++) {
                    producer.send(record(topics, serde, samples.event(name, "backlog-" + i, i, shape)));
                }
                producer.flush();
                System.gc();
                double heapStart = ProcessMemory.heapUsedMiB();
                double rssStart = ProcessMemory.rssMiB();
                KafkaStreams streams = TestBroker.explainStreams("lrp-bench", bootstrap, registry, 20,
                        streamsOverrides());
                streams.start();
                long first = 0;
                long last = 0;
                int seen = 0;
                double[] batchSizes = new double[events / SAMPLE_EVERY];
                double[] streamComputeMs = new double[events / SAMPLE_EVERY];
                while (seen < events) {
                    for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                        if (seen % SAMPLE_EVERY == 0 && seen / SAMPLE_EVERY < batchSizes.length) {
                            Timings timings = explanations.decode(record.value()).getTimings();
                            batchSizes[seen / SAMPLE_EVERY] = timings.getBatchSize();
                            streamComputeMs[seen / SAMPLE_EVERY] = timings.getComputeMs();
                        }
                        if (seen++ == 0) {
                            first = System.nanoTime();
                        }
                        last = System.nanoTime();
                    }
                }
                double streamRate = (events - 1) / ((last - first) / 1e9);
                System.gc();
                double heapEnd = ProcessMemory.heapUsedMiB();
                double rssEnd = ProcessMemory.rssMiB();
                double[] latencies = pacedLatencies(producer, reader, topics, serde, name, shape, samples,
                        streamRate / 2, Math.min(events / 4, 4000));
                streams.close(Duration.ofSeconds(30));
                return String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %.1f | %.1f | %.1f | %.1f "
                        + "| %.1f | %.1f | %.1f -> %.1f | %.0f -> %.0f |", name, events, offline, streamRate,
                        streamRate / offline, medianBatchMs, Arrays.stream(batchSizes).average().orElse(0),
                        percentile(streamComputeMs, 0.5), percentile(latencies, 0.5), percentile(latencies, 0.99),
                        MAX_WAIT.toMillis() + 3 * medianBatchMs, heapStart, heapEnd, rssStart, rssEnd);
            }
        }
    }

    /**
     * Kafka Streams settings from the environment variable {@code BENCH_STREAMS}, comma-separated {@code key=value}
     * pairs (for example {@code commit.interval.ms=50,producer.linger.ms=5}), to compare settings in one run.
     */
    static Map<String, String> streamsOverrides() {
        String spec = System.getenv().getOrDefault("BENCH_STREAMS", "");
        Map<String, String> overrides = new java.util.LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            if (!pair.isBlank()) {
                String[] keyValue = pair.split("=", 2);
                overrides.put(keyValue[0].trim(), keyValue[1].trim());
            }
        }
        return overrides;
    }

    /**
     * Inputs the benchmark publishes, each with the class the model predicts for it: production reports the class
     * of the model explained, so events are flagged only as often as a real stream's would be.
     */
    private record SampleInputs(List<double[]> rows, int[] predicted) {
        static final int SIZE = 256;

        static SampleInputs of(ExplainableModel model, CompiledExplainer explainer) {
            int width = model.rowShape().stream().reduce(1, (a, b) -> a * b);
            Random random = new Random(3);
            List<double[]> rows = new ArrayList<>();
            int[] predicted = new int[SIZE];
            for (int batch = 0; batch < SIZE / 32; batch++) {
                double[] values = new double[32 * width];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextFloat();
                }
                io.lrpsidecar.engine.Explanation explained = explainer.explain(Tensor.of(batchShape(model, 32), values),
                        new Target.Predicted(), InitMode.LOGIT);
                int classes = explained.logits().dim(1);
                for (int row = 0; row < 32; row++) {
                    rows.add(Arrays.copyOfRange(values, row * width, (row + 1) * width));
                    double[] logits = Arrays.copyOfRange(explained.logits().doubles(), row * classes,
                            (row + 1) * classes);
                    predicted[batch * 32 + row] = argmax(logits);
                }
            }
            return new SampleInputs(rows, predicted);
        }

        PredictionEvent event(String model, String id, int index, List<Long> shape) {
            return PredictionEvent.newBuilder().setEventId(id).setModelName(model).setModelVersion("1")
                    .setEventTime(Instant.now()).setInput(TensorCodec.float32(shape, rows.get(index % SIZE)))
                    .setReportedClass(predicted[index % SIZE]).setAttributes(Map.of()).build();
        }
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int[] batchShape(ExplainableModel model, int rows) {
        int[] row = model.rowShape().stream().mapToInt(Integer::intValue).toArray();
        int[] shape = new int[row.length + 1];
        shape[0] = rows;
        System.arraycopy(row, 0, shape, 1, row.length);
        return shape;
    }

    /** The offline rate and the sample inputs. */
    private record Offline(double explanationsPerSecond, SampleInputs samples) {
    }

    /**
     * Explanations per second of the compiled explainer alone, batches of 32, same threads; and the sample inputs,
     * labelled by the same explainer.
     */
    private static Offline offline(ExplainableModel model) {
        int[] shape = batchShape(model, 32);
        double[] values = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        Tensor input = Tensor.of(shape, values);
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                new CompositeParser(file -> null).parse("epsilon-plus-flat"), InitMode.LOGIT),
                new RuntimeSettings(DeviceChoice.CPU, THREADS, 1))) {
            for (int warm = 0; warm < 5; warm++) {
                explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
            }
            int batches = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < 5_000_000_000L) {
                explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
                batches++;
            }
            double rate = batches * 32 / ((System.nanoTime() - start) / 1e9);
            return new Offline(rate, SampleInputs.of(model, explainer));
        }
    }

    private static double[] pacedLatencies(KafkaProducer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> reader, StreamTopics topics, AvroSerde<PredictionEvent> serde, String name,
            List<Long> shape, SampleInputs samples, double rate, int count) {
        AvroSerde<io.lrpsidecar.events.v1.Explanation> explanations = new AvroSerde<>(
                io.lrpsidecar.events.v1.Explanation.getClassSchema());
        Map<String, Long> sentAt = new java.util.HashMap<>();
        List<Double> latencies = new ArrayList<>();
        long interval = (long) (1e9 / rate);
        long next = System.nanoTime();
        int published = 0;
        while (latencies.size() < count) {
            while (published < count && System.nanoTime() >= next) {
                String id = "paced-" + published++;
                sentAt.put(id, System.currentTimeMillis());
                producer.send(record(topics, serde, samples.event(name, id, published, shape)));
                next += interval;
            }
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(1))) {
                String id = new String(record.key(), StandardCharsets.UTF_8);
                Long sent = sentAt.get(id);
                if (sent != null) {
                    latencies.add((double) (System.currentTimeMillis() - sent));
                }
            }
        }
        return latencies.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static ProducerRecord<byte[], byte[]> record(StreamTopics topics, AvroSerde<PredictionEvent> serde,
            PredictionEvent event) {
        return new ProducerRecord<>(topics.predictions(), event.getEventId().getBytes(StandardCharsets.UTF_8),
                serde.encode(event));
    }

    private static double percentile(double[] values, double quantile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }


    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> reader(String bootstrap, String topic) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
