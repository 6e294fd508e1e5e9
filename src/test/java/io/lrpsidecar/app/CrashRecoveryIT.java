package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.TensorCodec;
import io.lrpsidecar.testing.Await;
import io.lrpsidecar.testing.PackagedService;
import io.lrpsidecar.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service runs as a child process against a real broker while events keep arriving, and is killed with
 * SIGKILL at {@value #KILLS} moments drawn from a fixed-seed {@link Random}: alternately after a random number of
 * further explanations became visible (in the middle of a batch and of a transaction) and a random time after it
 * reported itself started (while it restores its store, joins the group or processes its first batch). Each time it
 * starts again on the same state directory, and one more share of the events is published while it runs. A
 * read_committed consumer then finds every event explained exactly once, and nothing dead-lettered.
 */
class CrashRecoveryIT {
    private static final int KILLS = 5;
    private static final int EVENTS_PER_RUN = 400;
    private static final int EVENTS = (KILLS + 1) * EVENTS_PER_RUN;
    private static final long SEED = 20_260_905L;
    private static final int MAX_KILL_DELAY_MS = 3000;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    /** When one run of the service is killed. */
    private sealed interface KillMoment {
        /** Once {@code count} more explanations than at its start are visible. */
        record AfterExplanations(int count) implements KillMoment {
        }

        /** {@code delay} after it reported itself started. */
        record AfterDelay(Duration delay) implements KillMoment {
        }
    }

    @Test
    void aServiceKilledFiveTimesExplainsEveryEventExactlyOnce() throws Exception {
        List<KillMoment> moments = killMoments(new Random(SEED));
        try (KafkaClusterTestKit cluster = TestBroker.start(TestBroker.TOPICS, 4)) {
            String bootstrap = cluster.bootstrapServers();
            Path stateDir = Files.createTempDirectory("lrp-crash-state");
            Set<String> sent = new HashSet<>(send(bootstrap, 0, EVENTS_PER_RUN));
            List<String> explained = new ArrayList<>();
            List<String> kills = new ArrayList<>();
            ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
            try (KafkaConsumer<String, byte[]> reader = TestBroker.readCommitted(bootstrap, "explanations",
                    "crash-verifier")) {
                for (int run = 0; run <= KILLS; run++) {
                    PackagedService service = PackagedService.start(bootstrap, stateDir);
                    int from = (run + 1) * EVENTS_PER_RUN;
                    CompletableFuture<Set<String>> publishing = run < KILLS
                            ? CompletableFuture.supplyAsync(() -> send(bootstrap, from, from + EVENTS_PER_RUN))
                            : CompletableFuture.completedFuture(Set.of());
                    try {
                        if (run < KILLS) {
                            kill(service.process(), moments.get(run), killer, reader, explained);
                            kills.add(moments.get(run) + ": killed with " + explained.size() + " of "
                                    + (from + EVENTS_PER_RUN) + " events explained");
                            assertTrue(explained.size() < from + EVENTS_PER_RUN, "killed mid-stream: "
                                    + kills.get(run));
                        } else {
                            read(reader, explained, () -> explained.size() >= EVENTS, EVENTS + " explanations");
                            service.stop();
                        }
                    } finally {
                        service.process().destroyForcibly();
                    }
                    sent.addAll(publishing.join());
                }
                readToTheEnd(reader, explained);
            } finally {
                killer.shutdownNow();
            }
            assertEquals(EVENTS, sent.size());
            assertEquals(sent, new HashSet<>(explained), "every event explained; kills: " + kills);
            assertEquals(List.of(), duplicates(explained), "no event explained twice; kills: " + kills);
            List<String> deadLettered = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> dlq = TestBroker.readCommitted(bootstrap, "predictions-dlq",
                    "crash-dlq-verifier")) {
                readToTheEnd(dlq, deadLettered);
            }
            assertEquals(List.of(), deadLettered, "nothing dead-lettered");
        }
    }

    /** {@value #KILLS} kill moments: counts and delays in turn, each drawn from {@code random}. */
    private static List<KillMoment> killMoments(Random random) {
        List<KillMoment> moments = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            moments.add(kill % 2 == 0
                    ? new KillMoment.AfterExplanations(1 + random.nextInt(EVENTS_PER_RUN - 1))
                    : new KillMoment.AfterDelay(Duration.ofMillis(random.nextInt(MAX_KILL_DELAY_MS))));
        }
        return moments;
    }

    /** Kills the service with SIGKILL at {@code moment}, reading explanations all the while. */
    private static void kill(Process service, KillMoment moment, ScheduledExecutorService killer,
            KafkaConsumer<String, byte[]> reader, List<String> explained) throws InterruptedException {
        if (moment instanceof KillMoment.AfterExplanations after) {
            int target = explained.size() + after.count();
            read(reader, explained, () -> explained.size() >= target, target + " explanations");
            service.destroyForcibly();
        } else if (moment instanceof KillMoment.AfterDelay after) {
            killer.schedule(service::destroyForcibly, after.delay().toMillis(), TimeUnit.MILLISECONDS);
            read(reader, explained, () -> !service.isAlive(), "the service killed " + after.delay()
                    + " after it started");
        }
        assertTrue(service.waitFor(30, TimeUnit.SECONDS), "the killed service exited");
    }

    /** Polls explanations into {@code explained} until {@code done}. */
    private static void read(KafkaConsumer<String, byte[]> reader, List<String> explained, BooleanSupplier done,
            String what) {
        Await.until(PATIENCE, what, () -> {
            reader.poll(Duration.ofMillis(100)).forEach(record -> explained.add(record.key()));
            return done.getAsBoolean();
        }, () -> explained.size() + " explanations");
    }

    /** Polls until the consumer has read every committed record of its topic. */
    private static void readToTheEnd(KafkaConsumer<String, byte[]> consumer, List<String> keys) {
        Await.until(PATIENCE, "every committed record read", () -> {
            consumer.poll(Duration.ofMillis(100)).forEach(record -> keys.add(record.key()));
            Set<TopicPartition> assigned = consumer.assignment();
            return !assigned.isEmpty() && consumer.endOffsets(assigned).entrySet().stream()
                    .allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
        }, () -> keys.size() + " records");
    }

    private static List<String> duplicates(List<String> keys) {
        Set<String> seen = new HashSet<>();
        return keys.stream().filter(key -> !seen.add(key)).toList();
    }

    static Set<String> send(String bootstrap, int from, int to) {
        Tensor digits = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        AvroSerde<PredictionEvent> events = new AvroSerde<>(PredictionEvent.getClassSchema());
        int width = digits.size() / digits.dim(0);
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                String id = "crash-" + i;
                int row = i % digits.dim(0);
                PredictionEvent event = PredictionEvent.newBuilder().setEventId(id).setModelName("digits")
                        .setModelVersion("1").setEventTime(Instant.now())
                        .setInput(TensorCodec.float32(List.of(1L, 8L, 8L), java.util.Arrays.copyOfRange(
                                digits.doubles(), row * width, (row + 1) * width)))
                        .setReportedClass(0).setAttributes(Map.of()).build();
                producer.send(new ProducerRecord<>("predictions", id.getBytes(StandardCharsets.UTF_8),
                        events.encode(event)));
                sent.add(id);
            }
            producer.flush();
        }
        return sent;
    }
}
