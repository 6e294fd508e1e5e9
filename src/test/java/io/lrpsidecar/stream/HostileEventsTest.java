package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.testing.HandcraftedAvro;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile records on the explain topology (TopologyTestDriver, real compiled explainer): each bad record yields exactly
 * one dead letter with its original bytes, the valid events around it are explained once each, and nothing throws.
 */
class HostileEventsTest {
    private TopologyFixture fixture;

    private TopologyFixture fixture(ModelSettings.OverridePolicy overrides, TopologySettings topology) {
        ModelSettings breastCancer = new ModelSettings("epsilon-plus-flat", TargetPolicy.PREDICTED,
                TopologyFixture.TABULAR_FEATURES, 1, Duration.ofSeconds(10), 1.0, 0.0, 1e-3, 1 << 20, 5, overrides);
        fixture = new TopologyFixture(TopologyFixture.settings(1, Duration.ofSeconds(10), List.of()), breastCancer,
                DeviceChoice.CPU, topology, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        return fixture;
    }

    private TopologyFixture fixture() {
        return fixture(ModelSettings.OverridePolicy.defaults(), TopologySettings.defaults());
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Sends a valid event, the hostile bytes, another valid event; checks one dead letter and two explanations. */
    private DeadLetter sandwiched(TopologyFixture f, String name, byte[] hostile) {
        f.send(f.breastCancerEvent(name + "-before", 0, 0).build());
        f.predictions.pipeInput(name.getBytes(StandardCharsets.UTF_8), hostile);
        f.send(f.breastCancerEvent(name + "-after", 1, 0).build());
        List<String> explained = f.explanations.readValuesToList().stream().map(Explanation::getEventId).toList();
        assertEquals(List.of(name + "-before", name + "-after"), explained, name);
        List<DeadLetter> letters = f.deadLetters.readValuesToList();
        assertEquals(1, letters.size(), name + ": one dead letter");
        return letters.get(0);
    }

    @Test
    void hostileLengthPrefixesAreDeadLetteredWithoutAllocatingWhatTheyDeclare() {
        TopologyFixture f = fixture();
        Map<String, byte[]> hostile = Map.of(
                "array", HandcraftedAvro.hostileShapeArray(),
                "bytes", HandcraftedAvro.predictionEvent(encoder -> {
                    HandcraftedAvro.fieldsUpToShape(encoder);
                    encoder.writeLong(1);
                    encoder.writeLong(30);
                    encoder.writeLong(0);
                    encoder.writeLong(HandcraftedAvro.HOSTILE_LENGTH);
                }),
                "string", HandcraftedAvro.predictionEvent(encoder ->
                        encoder.writeLong(HandcraftedAvro.HOSTILE_LENGTH)),
                "map", HandcraftedAvro.predictionEvent(encoder -> {
                    byte[] valid = f.events.encode(f.breastCancerEvent("m", 0, 0).build());
                    // everything up to the attributes map of a valid event, then a hostile map block count
                    int attributes = valid.length - 2;
                    encoder.writeFixed(valid, 10, attributes - 10);
                    encoder.writeLong(HandcraftedAvro.HOSTILE_LENGTH);
                }),
                "negative", HandcraftedAvro.predictionEvent(encoder -> {
                    HandcraftedAvro.fieldsUpToShape(encoder);
                    encoder.writeLong(1);
                    encoder.writeLong(30);
                    encoder.writeLong(0);
                    encoder.writeLong(-5);
                }),
                "block-size", HandcraftedAvro.predictionEvent(encoder -> {
                    HandcraftedAvro.fieldsUpToShape(encoder);
                    encoder.writeLong(-1);
                    encoder.writeLong(HandcraftedAvro.HOSTILE_LENGTH);
                }));
        for (Map.Entry<String, byte[]> entry : hostile.entrySet()) {
            DeadLetter letter = sandwiched(f, entry.getKey(), entry.getValue());
            assertEquals(FailedStage.DECODE, letter.getStage(), entry.getKey());
            assertEquals("undecodable", letter.getReason(), entry.getKey());
            assertArrayEquals(entry.getValue(), bytes(letter.getValue()), entry.getKey());
            assertTrue(letter.getErrorMessage().contains("expected"), letter.getErrorMessage());
        }
    }

    @Test
    void compositeOverridesCannotReadFiles() {
        TopologyFixture f = fixture();
        String readable = ReferenceCase.folder("mlp_tabular").resolve("input.npy").toAbsolutePath().toString();
        for (String spec : List.of("epsilon-gamma-box(low=@/dev/zero,high=1)",
                "epsilon-gamma-box(low=@/missing.npy,high=1)", "epsilon-gamma-box(low=@" + readable + ",high=1)",
                "first=zbox(low=@" + readable + ",high=1);dense=epsilon")) {
            byte[] event = f.events.encode(f.breastCancerEvent("override", 2, 0).setComposite(spec).build());
            DeadLetter letter = sandwiched(f, "override", event);
            assertEquals(FailedStage.VALIDATE, letter.getStage(), spec);
            assertEquals("bad-composite", letter.getReason(), spec);
            assertTrue(letter.getErrorMessage().contains("cannot read files"), letter.getErrorMessage());
        }
    }

    /** A thousand compilations: about 20 s on an idle two-core machine. */
    @Test
    void distinctOverridesKeepTheCompiledExplainersBounded() {
        TopologyFixture f = fixture(new ModelSettings.OverridePolicy(List.of(), 4, Optional.empty(),
                Optional.empty()), TopologySettings.defaults());
        int overrides = 1000;
        for (int i = 0; i < overrides; i++) {
            f.send(f.breastCancerEvent("eps-" + i, i % 10, 0).setComposite("epsilon(" + (1e-6 + i * 1e-9) + ")").build());
        }
        List<Explanation> explained = f.explanations.readValuesToList();
        assertEquals(overrides, explained.size());
        assertEquals(overrides, explained.stream().map(Explanation::getComposite).distinct().count());
        ServedModel breastCancer = f.registry.find("breast_cancer", "2").orElseThrow();
        assertEquals(4, breastCancer.compiledExplainers(), "four overrides (the default was never used)");
        assertEquals(overrides - 4, breastCancer.explainerEvictions());
        assertTrue(f.deadLetters.isEmpty());
    }

    @Test
    void theAllowListRefusesOtherComposites() {
        TopologyFixture f = fixture(new ModelSettings.OverridePolicy(List.of("epsilon", "zplus(1e-6)"), 4,
                Optional.empty(), Optional.empty()), TopologySettings.defaults());
        f.send(f.breastCancerEvent("a", 0, 0).setComposite("epsilon(0.25)").build());
        f.send(f.breastCancerEvent("b", 1, 0).setComposite("zplus").build());
        f.send(f.breastCancerEvent("c", 2, 0).setComposite("epsilon-alpha2-beta1").build());
        assertEquals(List.of("a", "b"), f.explanations.readValuesToList().stream().map(Explanation::getEventId)
                .toList());
        DeadLetter letter = f.deadLetters.readValue();
        assertEquals("bad-composite", letter.getReason());
        assertTrue(letter.getErrorMessage().contains("not allowed"), letter.getErrorMessage());
    }

    @Test
    void liveAndReplayedEventsAtEqualOffsetsAreBothExplained() {
        ModelSettings waiting = TopologyFixture.settings(8, Duration.ofSeconds(10), List.of());
        fixture = new TopologyFixture(waiting, waiting, DeviceChoice.CPU);
        TopologyFixture f = fixture;
        for (int i = 0; i < 3; i++) {
            f.send(f.breastCancerEvent("live-" + i, i, 0).build());
            f.replay(f.breastCancerEvent("replayed-" + i, i, 0).build(), "replay-1");
        }
        f.driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertEquals(List.of("live-0", "live-1", "live-2"), f.explanations.readValuesToList().stream()
                .map(Explanation::getEventId).toList());
        assertEquals(List.of("replayed-0", "replayed-1", "replayed-2"), f.replayed.readValuesToList().stream()
                .map(Explanation::getEventId).sorted().toList());
        assertTrue(f.deadLetters.isEmpty());
    }

    @Test
    void aReplayHeaderOnTheLiveTopicDoesNotMakeAReplay() {
        TopologyFixture f = fixture();
        PredictionEvent event = f.breastCancerEvent("forged", 0, 0).build();
        f.predictions.pipeInput(new TestRecord<>("forged".getBytes(StandardCharsets.UTF_8), f.events.encode(event),
                ReplayHeader.with("not-a-replay")));
        assertEquals("forged", f.explanations.readValue().getEventId());
        assertTrue(f.replayed.isEmpty());
    }

    @Test
    void recordsAboveTheSizeLimitAreDeadLetteredUnreadAndTruncatedToFit() throws Exception {
        int limit = 64 * 1024;
        TopologyFixture f = fixture(ModelSettings.OverridePolicy.defaults(), new TopologySettings(
                Duration.ofMillis(10), 3, Duration.ofHours(6), limit));
        byte[] huge = new byte[2 << 20];
        new java.util.Random(7).nextBytes(huge);
        DeadLetter letter = sandwiched(f, "huge", huge);
        assertEquals(FailedStage.DECODE, letter.getStage());
        assertEquals("record-too-large", letter.getReason());
        assertEquals(huge.length, letter.getTruncation().getValueLength());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(huge)),
                letter.getTruncation().getValueSha256());
        byte[] prefix = bytes(letter.getValue());
        assertTrue(prefix.length > limit / 2 && prefix.length < limit, "a prefix of " + prefix.length);
        assertArrayEquals(java.util.Arrays.copyOf(huge, prefix.length), prefix);
        byte[] encoded = new AvroSerde<DeadLetter>(DeadLetter.getClassSchema()).encode(letter);
        assertTrue(encoded.length + "huge".length() <= limit, "the dead letter fits: " + encoded.length);
    }

    @Test
    void outputsAboveTheSizeLimitAreDeadLetteredInsteadOfSent() {
        int limit = 64 * 1024;
        TopologyFixture f = fixture(ModelSettings.OverridePolicy.defaults(), new TopologySettings(
                Duration.ofMillis(10), 3, Duration.ofHours(6), limit));
        // a 40 KB event id fits the input limit, but the explanation, keyed by it and repeating it, does not
        String longId = "x".repeat(40_000);
        PredictionEvent event = f.breastCancerEvent(longId, 0, 1).setLabel(0).build();
        DeadLetter letter = sandwiched(f, "long-id", f.events.encode(event));
        assertEquals(FailedStage.EXPLAIN, letter.getStage());
        assertEquals("output-too-large", letter.getReason());
        assertNull(letter.getTruncation());
        assertTrue(f.metrics.isEmpty() || f.metrics.readValuesToList().stream().noneMatch(
                m -> m.getEventId().equals(longId)), "nothing of the event was sent");
    }

    @Test
    void unknownModelNamesAreCountedUnderUnknown() {
        TopologyFixture f = fixture();
        String name = "m".repeat(100_000);
        DeadLetter letter = sandwiched(f, "unknown", f.events.encode(f.breastCancerEvent("u", 0, 0).setModelName(name)
                .build()));
        assertEquals("unknown-model", letter.getReason());
        assertTrue(letter.getErrorMessage().length() <= DeadLetters.MAX_MESSAGE_CHARS + 40);
        assertEquals(1.0, f.meters.get("lrp.events.received").tags("model", StreamMetrics.UNKNOWN).counter()
                .count());
        Function<Meter, String> model = meter -> Optional.ofNullable(meter.getId().getTag("model")).orElse("");
        assertTrue(f.meters.getMeters().stream().map(model).allMatch(label -> label.length() < 100),
                "no label carries the record's model name");
    }

    @Test
    void conservationErrorsLandInBucketsBelowOne() {
        TopologyFixture f = fixture();
        f.send(f.breastCancerEvent("bucket", 0, 0).build());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamMetrics metrics = new StreamMetrics(registry);
        Explanation explanation = Explanation.newBuilder(f.explanations.readValue()).setConservationError(0.04)
                .setLedger(List.of()).setFlags(List.of()).build();
        metrics.explained(explanation, 2_000_000, 1_000_000);
        String scrape = registry.scrape();
        String series = "lrp_conservation_error_ppb_bucket{composite=\"" + explanation.getCompositeHash()
                + "\",model=\"breast_cancer\",version=\"2\",le=";
        assertTrue(scrape.contains(series + "\"1.0E7\",} 0.0"), "nothing at or below 0.01: " + scrape);
        assertTrue(scrape.contains(series + "\"5.0E7\",} 1.0"), "0.04 in the 0.05 bucket: " + scrape);
        assertTrue(scrape.contains(series + "\"1000.0\",} 0.0"), "a bucket at 1e-6: " + scrape);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
