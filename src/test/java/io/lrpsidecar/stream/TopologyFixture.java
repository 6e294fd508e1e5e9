package io.lrpsidecar.stream;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.ExplanationMetrics;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A TopologyTestDriver over the explain topology serving the two reference models (digits CNN and tabular MLP) on
 * the real compiled explainer, with helpers to build events from the reference inputs.
 */
final class TopologyFixture implements AutoCloseable {
    static final List<String> TABULAR_FEATURES = java.util.stream.IntStream.range(0, 30)
            .mapToObj(i -> "feature_" + i).toList();

    static final CompositeParser PARSER = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());

    final ModelRegistry registry;
    final io.micrometer.core.instrument.MeterRegistry meters;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> predictions;
    final TestOutputTopic<String, Explanation> explanations;
    final TestOutputTopic<String, ExplanationMetrics> metrics;
    final TestOutputTopic<String, FlaggedPrediction> flagged;
    final TestOutputTopic<byte[], DeadLetter> deadLetters;
    final TestInputTopic<byte[], byte[]> replays;
    final TestOutputTopic<String, Explanation> replayed;
    final AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
    final Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
    final Tensor tabular = Npy.read(ReferenceCase.folder("mlp_tabular").resolve("input.npy")).tensor();

    TopologyFixture(ModelSettings digitsSettings, ModelSettings tabularSettings, DeviceChoice device) {
        this(digitsSettings, tabularSettings, device, TopologySettings.defaults(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    TopologyFixture(ModelSettings digitsSettings, ModelSettings tabularSettings, DeviceChoice device,
            TopologySettings topologySettings, io.micrometer.core.instrument.MeterRegistry meters) {
        this(new ModelRegistry()
                .add(new ServedModel("digits", "1", "sha-digits", ExplainableModel.load(
                        ReferenceCase.folder("cnn_digits").resolve("model.onnx")), digitsSettings,
                        new RuntimeSettings(device, 1, 1), PARSER))
                .add(new ServedModel("breast_cancer", "2", "sha-breast-cancer", ExplainableModel.load(
                        ReferenceCase.folder("mlp_tabular").resolve("model.onnx")), tabularSettings,
                        new RuntimeSettings(device, 1, 1), PARSER)), topologySettings, meters);
    }

    /** The topology over the models of {@code registry} (closed with the fixture). */
    TopologyFixture(ModelRegistry registry, TopologySettings topologySettings,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.registry = registry;
        StreamTopics topics = StreamTopics.defaults();
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "lrp-sidecar-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, tempStateDir());
        driver = new TopologyTestDriver(ExplainTopology.build(topics, registry, topologySettings,
                new StreamMetrics(meters)),
                properties, Instant.ofEpochMilli(1_000_000));
        predictions = driver.createInputTopic(topics.predictions(), Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        explanations = driver.createOutputTopic(topics.explanations(), Serdes.String().deserializer(),
                new AvroSerde<Explanation>(Explanation.getClassSchema()).deserializer());
        metrics = driver.createOutputTopic(topics.metrics(), Serdes.String().deserializer(),
                new AvroSerde<ExplanationMetrics>(ExplanationMetrics.getClassSchema()).deserializer());
        flagged = driver.createOutputTopic(topics.flagged(), Serdes.String().deserializer(),
                new AvroSerde<FlaggedPrediction>(FlaggedPrediction.getClassSchema()).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), Serdes.ByteArray().deserializer(),
                new AvroSerde<DeadLetter>(DeadLetter.getClassSchema()).deserializer());
        replays = driver.createInputTopic(topics.predictionsReplay(), Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        replayed = driver.createOutputTopic(topics.explanationsReplay(), Serdes.String().deserializer(),
                new AvroSerde<Explanation>(Explanation.getClassSchema()).deserializer());
    }

    /** Publishes a prediction to the replay input, as replay {@code replayId}. */
    void replay(PredictionEvent event, String replayId) {
        replays.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(
                event.getEventId().getBytes(java.nio.charset.StandardCharsets.UTF_8), events.encode(event),
                ReplayHeader.with(replayId)));
    }

    static ModelSettings settings(int maxBatchSize, Duration maxWait, List<String> featureNames) {
        return new ModelSettings("epsilon-plus-flat", TargetPolicy.PREDICTED, featureNames, maxBatchSize, maxWait,
                1.0, 0.0, 1e-3, 1 << 20, 5);
    }

    private static String tempStateDir() {
        try {
            return java.nio.file.Files.createTempDirectory("lrp-streams-test").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Row {@code row} of a reference input as one event's tensor, shaped like one row. */
    static io.lrpsidecar.events.v1.Tensor row(Tensor batch, int row) {
        int width = batch.size() / batch.dim(0);
        List<Long> shape = new ArrayList<>();
        for (int axis = 1; axis < batch.rank(); axis++) {
            shape.add((long) batch.dim(axis));
        }
        return TensorCodec.float32(shape, Arrays.copyOfRange(batch.doubles(), row * width, (row + 1) * width));
    }

    PredictionEvent.Builder digitEvent(String id, int row, int reportedClass) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName("digits").setModelVersion("1")
                .setEventTime(Instant.ofEpochMilli(999_000)).setInput(row(digits, row))
                .setReportedClass(reportedClass).setAttributes(Map.of());
    }

    PredictionEvent.Builder breastCancerEvent(String id, int row, int reportedClass) {
        return PredictionEvent.newBuilder().setEventId(id).setModelName("breast_cancer").setModelVersion("2")
                .setEventTime(Instant.ofEpochMilli(999_000)).setInput(row(tabular, row))
                .setReportedClass(reportedClass).setAttributes(Map.of());
    }

    void send(PredictionEvent event) {
        predictions.pipeInput(event.getEventId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                events.encode(event));
    }

    @Override
    public void close() {
        driver.close();
        registry.close();
    }
}
