package io.lrpsidecar.bench;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.RegionSpec;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.ForwardSession;
import io.lrpsidecar.runtime.RuntimeSettings;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.FaithfulnessSampling;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ModelSettings;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.StreamTopics;
import io.lrpsidecar.stream.TargetPolicy;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.PlainJvmLogging;
import io.lrpsidecar.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The cost of sampled faithfulness on the stream: throughput of the explain topology through a real in-JVM broker
 * with {@code faithfulness.sample} at 0, 0.01 (the default) and 1, in one run. A backlog is published once; every
 * measurement is a fresh Kafka Streams application explaining it from the start, with the three sample rates
 * interleaved in each of {@value #REPEATS} rounds (after {@value #WARM_UP_ROUNDS} discarded warm-up round; the order
 * alternates between rounds, so neither end of a round is favoured) so that they see the same machine state; the
 * median per rate is reported, and the median over rounds of each rate's ratio to sample 0 in the same round, which
 * cancels the drift of the machine between rounds. Throughput is counted between the first and the last explanation a read_committed consumer sees
 * (the full backlog at 0 and 0.01; a quarter of it at 1, given for information). Run with
 * {@code mvn -B -Pbench -DskipTests verify -Dbench.main=io.lrpsidecar.bench.FaithfulnessBenchmark
 * -Dbench.output=target/faithfulness-benchmark.md} (arguments: report file, unused, a regular expression selecting
 * the models).
 */
public final class FaithfulnessBenchmark {
    private static final int REPEATS = 7;
    private static final int WARM_UP_ROUNDS = 1;
    private static final int THREADS = 2;
    private static final double[] SAMPLES = {0, 0.01, 1};
    private static final int DISTINCT_INPUTS = 256;

    private FaithfulnessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        PlainJvmLogging.quiet();
        Path output = Path.of(args.length > 0 ? args[0] : "target/faithfulness-benchmark.md");
        String only = args.length > 2 ? args[2] : ".*";
        StringBuilder report = new StringBuilder("| model | events | sample 0: explanations/s (median) | sample 0.01 "
                + "| change at 0.01 (medians) | change at 0.01 (median of paired rounds) | sample 1 (information) "
                + "| change at 1 (paired) | runs at 0 / 0.01 / 1 |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        if ("cnn_digits".matches(only)) {
            report.append(run("cnn_digits", OnnxModelReader.read(Path.of(
                    "src/test/resources/reference/cnn_digits/model.onnx")), 8_000)).append('\n');
        }
        if ("vgg64".matches(only)) {
            report.append(run("vgg64", BenchmarkModels.vgg64(), 600)).append('\n');
        }
        Files.writeString(output, report.toString());
        System.out.println(report);
    }

    private static String run(String name, Graph graph, int events) throws Exception {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        List<Long> shape = model.rowShape().stream().map(Long::valueOf).toList();
        List<PredictionEvent> inputs = inputs(name, model, shape);
        Map<Double, List<Double>> rates = new LinkedHashMap<>();
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 1)) {
            String bootstrap = cluster.bootstrapServers();
            StreamTopics topics = StreamTopics.defaults();
            AvroSerde<PredictionEvent> serde = new AvroSerde<>(PredictionEvent.getClassSchema());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < events; i++) {
                    PredictionEvent event = PredictionEvent.newBuilder(inputs.get(i % DISTINCT_INPUTS))
                            .setEventId("backlog-" + i).setEventTime(Instant.now()).build();
                    producer.send(new ProducerRecord<>(topics.predictions(),
                            event.getEventId().getBytes(StandardCharsets.UTF_8), serde.encode(event)));
                }
                producer.flush();
            }
            int round = 0;
            for (int repeat = -WARM_UP_ROUNDS; repeat < REPEATS; repeat++) {
                List<Double> order = new ArrayList<>();
                for (double sample : SAMPLES) {
                    order.add(sample);
                }
                if (Math.floorMod(repeat, 2) == 1) {
                    java.util.Collections.reverse(order);
                }
                for (double sample : order) {
                    int counted = sample >= 1 ? events / 4 : events;
                    double rate = measure(name, graph, sample, bootstrap, topics, counted, round++);
                    if (repeat >= 0) {
                        rates.computeIfAbsent(sample, ignored -> new ArrayList<>()).add(rate);
                    }
                    System.out.printf(Locale.ROOT, "%s sample %.2f round %d%s: %.0f explanations/s%n", name, sample,
                            repeat + 1, repeat < 0 ? " (warm-up)" : "", rate);
                }
            }
        }
        double none = median(rates.get(0.0));
        double sampled = median(rates.get(0.01));
        double all = median(rates.get(1.0));
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %+.1f%% | %+.1f%% | %.0f | %+.1f%% | %s / %s / %s |",
                name, events, none, sampled, 100 * (sampled / none - 1), 100 * (pairedRatio(rates.get(0.01),
                        rates.get(0.0)) - 1), all, 100 * (pairedRatio(rates.get(1.0), rates.get(0.0)) - 1),
                runs(rates.get(0.0)), runs(rates.get(0.01)), runs(rates.get(1.0)));
    }

    /** The median over rounds of {@code a / b} measured in the same round. */
    private static double pairedRatio(List<Double> a, List<Double> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return median(ratios);
    }

    /** Explanations per second of a fresh application over the backlog, counted over its first {@code counted}. */
    private static double measure(String name, Graph graph, double sample, String bootstrap, StreamTopics topics,
            int counted, int round) throws Exception {
        FaithfulnessSampling sampling = new FaithfulnessSampling(sample, FaithfulnessSampling.DEFAULT_STEPS,
                RegionSpec.SINGLE, new Baseline.Zero());
        try (ModelRegistry registry = new ModelRegistry();
                KafkaConsumer<byte[], byte[]> reader = reader(bootstrap)) {
            registry.add(new ServedModel(name, "1", "bench", ExplainableModel.load(OnnxModelWriter.write(graph)),
                    new ModelSettings("epsilon-plus-flat", TargetPolicy.PREDICTED, List.of(), 32,
                            Duration.ofMillis(20), 10.0, 0.0, 1e9, 1 << 24, 5).withFaithfulness(sampling),
                    new RuntimeSettings(DeviceChoice.CPU, THREADS, 1), new CompositeParser(file -> null)));
            TopicPartition partition = new TopicPartition(topics.explanations(), 0);
            reader.assign(List.of(partition));
            reader.seekToEnd(List.of(partition));
            reader.position(partition);
            KafkaStreams streams = TestBroker.explainStreams("lrp-faithfulness-bench-" + round, bootstrap, registry,
                    20);
            streams.start();
            long first = 0;
            long last = 0;
            int seen = 0;
            while (seen < counted) {
                for (var record : reader.poll(Duration.ofMillis(100))) {
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

    /** The seeded inputs, each reporting the class the model predicts for it. */
    static List<PredictionEvent> inputs(String name, ExplainableModel model, List<Long> shape) {
        int width = model.rowShape().stream().reduce(1, (a, b) -> a * b);
        Random random = new Random(3);
        double[] values = new double[DISTINCT_INPUTS * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        int[] batchShape = new int[shape.size() + 1];
        batchShape[0] = DISTINCT_INPUTS;
        for (int axis = 0; axis < shape.size(); axis++) {
            batchShape[axis + 1] = shape.get(axis).intValue();
        }
        double[][] logits;
        try (ForwardSession forward = new ForwardSession(model, new RuntimeSettings(DeviceChoice.CPU, THREADS, 1))) {
            logits = forward.logits(Tensor.of(batchShape, values));
        }
        List<PredictionEvent> events = new ArrayList<>();
        for (int row = 0; row < DISTINCT_INPUTS; row++) {
            int predicted = 0;
            for (int k = 1; k < logits[row].length; k++) {
                predicted = logits[row][k] > logits[row][predicted] ? k : predicted;
            }
            events.add(PredictionEvent.newBuilder().setEventId("input-" + row).setModelName(name)
                    .setModelVersion("1").setEventTime(Instant.now())
                    .setInput(TensorCodec.float32(shape, Arrays.copyOfRange(values, row * width, (row + 1) * width)))
                    .setReportedClass(predicted).setAttributes(Map.of()).build());
        }
        return events;
    }

    private static KafkaConsumer<byte[], byte[]> reader(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String runs(List<Double> values) {
        return String.join(" ", values.stream().map(value -> String.format(Locale.ROOT, "%.0f", value)).toList());
    }
}
