package io.lrpsidecar.bench;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.PredictionEvent;
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
 * explanation's arrival at a read_committed consumer. Run with
 * {@code mvn -B -Pbench -DskipTests verify -Dbench.main=io.lrpsidecar.bench.StreamBenchmark} (arguments: report file,
 * unused, and a regular expression selecting the models).
 */
public final class StreamBenchmark {
    private static final int THREADS = 2;
    private static final Duration MAX_WAIT = Duration.ofMillis(20);

    private StreamBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args.length > 0 ? args[0] : "target/stream-benchmark.md");
        StringBuilder report = new StringBuilder("| model | events | offline explanations/s | stream explanations/s "
                + "| stream/offline | batch compute ms (median) | p50 ms | p99 ms | p99 target ms | heap after GC "
                + "MiB (start -> end) | RSS MiB (start -> end) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        String only = args.length > 2 ? args[2] : ".*";
        if ("cnn_digits".matches(only)) {
            report.append(run("cnn_digits", OnnxModelReader.read(Path.of(
                    "src/test/resources/reference/cnn_digits/model.onnx")), 100_000)).append('\n');
        }
        if ("vgg64".matches(only)) {
            report.append(run("vgg64", BenchmarkModels.vgg64(), 8_000)).append('\n');
        }
        Files.writeString(output, report.toString());
        System.out.println(report);
    }

    private static String run(String name, Graph graph, int events) throws Exception {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        int[] row = model.rowShape().stream().mapToInt(Integer::intValue).toArray();
        int width = Arrays.stream(row).reduce(1, (a, b) -> a * b);
        double offline = offlineThroughput(model);
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
            Random random = new Random(3);
            List<Long> shape = Arrays.stream(row).mapToObj(Long::valueOf).toList();
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
                    KafkaConsumer<byte[], byte[]> reader = reader(bootstrap, topics.explanations())) {
                for (int i = 0; i < events; i++) {
                    producer.send(record(topics, serde, name, "backlog-" + i, shape, width, random));
                }
                producer.flush();
                System.gc();
                double heapStart = ProcessMemory.heapUsedMiB();
                double rssStart = ProcessMemory.rssMiB();
                KafkaStreams streams = TestBroker.explainStreams("lrp-bench", bootstrap, registry, 20);
                streams.start();
                long first = 0;
                long last = 0;
                int seen = 0;
                while (seen < events) {
                    for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
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
                double[] latencies = pacedLatencies(producer, reader, topics, serde, name, shape, width, random,
                        streamRate / 2, Math.min(events / 4, 4000));
                streams.close(Duration.ofSeconds(30));
                return String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %.1f | %.1f | %.1f | %.1f | "
                        + "%.1f -> %.1f | %.0f -> %.0f |", name, events, offline, streamRate, streamRate / offline,
                        medianBatchMs, percentile(latencies, 0.5), percentile(latencies, 0.99),
                        MAX_WAIT.toMillis() + 3 * medianBatchMs, heapStart, heapEnd, rssStart, rssEnd);
            }
        }
    }

    /** Explanations per second of the compiled explainer alone, batches of 32, same threads. */
    private static double offlineThroughput(ExplainableModel model) {
        int[] row = model.rowShape().stream().mapToInt(Integer::intValue).toArray();
        int[] shape = new int[row.length + 1];
        shape[0] = 32;
        System.arraycopy(row, 0, shape, 1, row.length);
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
            return batches * 32 / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double[] pacedLatencies(KafkaProducer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> reader, StreamTopics topics, AvroSerde<PredictionEvent> serde, String name,
            List<Long> shape, int width, Random random, double rate, int count) {
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
                producer.send(record(topics, serde, name, id, shape, width, random));
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
            String model, String id, List<Long> shape, int width, Random random) {
        double[] values = new double[width];
        for (int i = 0; i < width; i++) {
            values[i] = random.nextFloat();
        }
        PredictionEvent event = PredictionEvent.newBuilder().setEventId(id).setModelName(model).setModelVersion("1")
                .setEventTime(Instant.now()).setInput(TensorCodec.float32(shape, values)).setReportedClass(0)
                .setAttributes(Map.of()).build();
        return new ProducerRecord<>(topics.predictions(), id.getBytes(StandardCharsets.UTF_8), serde.encode(event));
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
