package io.lrpsidecar.app;

import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.TensorCodec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * In demo mode, publishes prediction events from the bundled held-out data at a steady rate, as a production model
 * would: the reported class and scores are the model's own, the label is the true one (so misclassified rows raise
 * MISCLASSIFIED). Every 40th event reports a different class (PREDICTION_MISMATCH) and every 50th is malformed in
 * one of four ways (undecodable bytes, NaN input, wrong shape, unknown model), which the sidecar dead-letters.
 */
@ApplicationScoped
public class DemoProducer {
    private static final Logger LOG = Logger.getLogger(DemoProducer.class);

    private final ModelLoader models;
    private final SidecarConfig config;
    private final AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
    private final AtomicLong sequence = new AtomicLong();
    private ScheduledExecutorService scheduler;
    private KafkaProducer<byte[], byte[]> producer;
    private List<Sample> samples;

    public DemoProducer(ModelLoader models, SidecarConfig config) {
        this.models = models;
        this.config = config;
    }

    /** One held-out row of a demo model with what production would report for it. */
    private record Sample(String model, io.lrpsidecar.events.v1.Tensor input, int reported, List<Float> scores,
            int label) {
    }

    void start(@Observes StartupEvent event) throws IOException {
        double rate = config.demo().rate();
        if (!DemoMode.active() || rate <= 0 || models.registry().find(DemoModels.DIGITS, DemoModels.VERSION)
                .isEmpty()) {
            return;
        }
        samples = new ArrayList<>();
        samples.addAll(samples(DemoModels.DIGITS, "demo/digits_holdout.npy", "demo/digits_labels.npy"));
        samples.addAll(samples(DemoModels.BREAST_CANCER, "demo/breast_cancer_holdout.npy",
                "demo/breast_cancer_labels.npy"));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DemoMode.BOOTSTRAP,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lrp-demo-producer");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleAtFixedRate(this::publishOne, 1000, Math.max(1, (long) (1_000_000 / rate)),
                TimeUnit.MICROSECONDS);
        LOG.infof("Demo producer: %.1f prediction events/s from %d held-out rows to topic %s", rate, samples.size(),
                config.topics().predictions());
    }

    private List<Sample> samples(String name, String inputs, String labels) throws IOException {
        ServedModel model = models.registry().find(name, DemoModels.VERSION).orElseThrow();
        Tensor rows = Npy.read(DemoModels.resource(inputs)).tensor();
        long[] truth = Npy.read(DemoModels.resource(labels)).tensor().asLongs();
        Tensor logits = new ReferenceExplainer(model.model(), model.composite(null)).forward(rows)
                .get(model.model().logits());
        int classes = logits.dim(1);
        int width = rows.size() / rows.dim(0);
        List<Long> rowShape = new ArrayList<>();
        for (int axis = 1; axis < rows.rank(); axis++) {
            rowShape.add((long) rows.dim(axis));
        }
        List<Sample> result = new ArrayList<>();
        for (int row = 0; row < rows.dim(0); row++) {
            double[] scores = Arrays.copyOfRange(logits.doubles(), row * classes, (row + 1) * classes);
            List<Float> reportedScores = new ArrayList<>();
            int reported = 0;
            for (int k = 0; k < classes; k++) {
                reportedScores.add((float) scores[k]);
                reported = scores[k] > scores[reported] ? k : reported;
            }
            result.add(new Sample(name, TensorCodec.float32(rowShape, Arrays.copyOfRange(rows.doubles(),
                    row * width, (row + 1) * width)), reported, reportedScores, (int) truth[row]));
        }
        return result;
    }

    private void publishOne() {
        long n = sequence.getAndIncrement();
        Sample sample = samples.get((int) (n % samples.size()));
        String id = "demo-" + n;
        PredictionEvent.Builder event = PredictionEvent.newBuilder().setEventId(id).setModelName(sample.model())
                .setModelVersion(DemoModels.VERSION).setEventTime(Instant.now()).setInput(sample.input())
                .setReportedClass(n % 40 == 39 ? (sample.reported() + 1) % sample.scores().size() : sample.reported())
                .setReportedScores(sample.scores()).setLabel(sample.label()).setAttributes(Map.of("source", "demo"));
        byte[] value = n % 50 == 49 ? malformed(event, n / 50) : events.encode(event.build());
        producer.send(new ProducerRecord<>(config.topics().predictions(), id.getBytes(StandardCharsets.UTF_8),
                value));
    }

    private byte[] malformed(PredictionEvent.Builder event, long kind) {
        io.lrpsidecar.events.v1.Tensor input = event.getInput();
        return switch ((int) (kind % 4)) {
            case 0 -> "this is not an Avro record".getBytes(StandardCharsets.UTF_8);
            case 1 -> {
                double[] values = TensorCodec.values(input);
                values[0] = Double.NaN;
                yield events.encode(event.setInput(TensorCodec.float32(input.getShape(), values)).build());
            }
            case 2 -> events.encode(event.setInput(TensorCodec.float32(List.of(3L), new double[3])).build());
            default -> events.encode(event.setModelVersion("99").build());
        };
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
            producer.close();
        }
    }
}
