package io.lrpsidecar.cli;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.ExplanationMetrics;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ReleasedSchemas;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lrp tail TOPIC}: prints the records of one of the sidecar's topics as JSON lines. */
@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the records of a sidecar topic, decoded, as one JSON line each (read_committed).")
public class TailCommand implements Callable<Integer> {
    private static final Map<String, Schema> SCHEMAS = Map.of(
            "prediction", PredictionEvent.getClassSchema(),
            "explanation", Explanation.getClassSchema(),
            "metrics", ExplanationMetrics.getClassSchema(),
            "flagged", FlaggedPrediction.getClassSchema(),
            "dead-letter", DeadLetter.getClassSchema());
    private static final Map<String, String> TYPE_BY_TOPIC = Map.of(
            "predictions", "prediction",
            "explanations", "explanation",
            "explanation-metrics", "metrics",
            "predictions-flagged", "flagged",
            "predictions-dlq", "dead-letter",
            "explanations-replay", "explanation",
            "predictions-replay", "prediction");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic, such as explanations.")
    String topic;

    @Option(names = "--type", paramLabel = "TYPE", description = "Record type when the topic name does not say it: "
            + "prediction, explanation, metrics, flagged or dead-letter.")
    String type;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:29092",
            description = "Kafka bootstrap servers. Default: the embedded demo broker, ${DEFAULT-VALUE}.")
    String bootstrap;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of the newest.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "Stop after N records (0: never).")
    long max;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this many seconds without a record (0: never).")
    long timeoutSeconds;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up when no broker answers within this many seconds (default ${DEFAULT-VALUE}).")
    long connectTimeoutSeconds;

    @Override
    public Integer call() {
        String recordType = type != null ? type : TYPE_BY_TOPIC.get(topic);
        if (recordType == null || !SCHEMAS.containsKey(recordType)) {
            throw new UserInputException("cannot tell the record type of topic '" + topic + "'; pass --type, one of "
                    + SCHEMAS.keySet());
        }
        AvroSerde<Object> serde = new AvroSerde<>(SCHEMAS.get(recordType), switch (recordType) {
            case "explanation" -> ReleasedSchemas.explanation();
            case "prediction" -> ReleasedSchemas.predictionEvent();
            case "flagged" -> ReleasedSchemas.flaggedPrediction();
            default -> List.<Schema>of();
        });
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "lrp-tail-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        requireBroker();
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long lastRecord = System.nanoTime();
            while (max == 0 || printed < max) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    out.println(TailJson.render(serde.deserializer().deserialize(topic, record.value())));
                    lastRecord = System.nanoTime();
                    if (++printed == max) {
                        break;
                    }
                }
                out.flush();
                if (timeoutSeconds > 0 && System.nanoTime() - lastRecord > timeoutSeconds * 1_000_000_000L) {
                    break;
                }
            }
        }
        return 0;
    }

    /** Fails with one line when no broker at {@link #bootstrap} answers within the connect timeout. */
    private void requireBroker() {
        if (connectTimeoutSeconds < 1) {
            throw new UserInputException("expected --connect-timeout to be at least 1 second, found "
                    + connectTimeoutSeconds);
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, TimeUnit.SECONDS.toMillis(connectTimeoutSeconds));
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = Admin.create(properties)) {
            admin.describeCluster().nodes().get(connectTimeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new UserInputException("cannot reach a Kafka broker at " + bootstrap + " within "
                    + connectTimeoutSeconds + " s (--connect-timeout); expected a running broker there (--bootstrap)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserInputException("interrupted while connecting to " + bootstrap);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new UserInputException("cannot connect to " + bootstrap + ": " + e.getMessage());
        }
    }
}
