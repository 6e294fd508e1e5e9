package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.testing.TestBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;

/** {@code lrp tail} on a real broker: dead letters show their keys and headers as text when they are text. */
class TailCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] BINARY_KEY = {(byte) 0xff, (byte) 0xfe, 0x00, 0x41};

    @Test
    void deadLetterKeysAndHeadersAreTextUnlessTheyAreNot() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("predictions-dlq"), 1)) {
            AvroSerde<DeadLetter> deadLetters = new AvroSerde<>(DeadLetter.getClassSchema());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("predictions-dlq", deadLetters.encode(deadLetter(
                        "demo-49".getBytes(StandardCharsets.UTF_8), 49))));
                producer.send(new ProducerRecord<>("predictions-dlq", deadLetters.encode(deadLetter(BINARY_KEY,
                        99))));
                producer.flush();
            }

            CliLauncher.Result result = new CliLauncher().launch("tail", "predictions-dlq", "--bootstrap",
                    cluster.bootstrapServers(), "--from-beginning", "--max", "2", "--timeout", "60");

            assertEquals(0, result.exitCode(), result.getErrorOutput());
            List<String> lines = result.getOutputStream();
            assertEquals(2, lines.size(), result.getOutput());
            JsonNode text = JSON.readTree(lines.get(0));
            assertEquals("demo-49", text.get("key").asText());
            assertFalse(text.has("keyBase64"), lines.get(0));
            assertEquals("replay-7", text.get("headers").get("lrp-replay-id").asText());
            assertEquals("shape-mismatch", text.get("reason").asText());
            JsonNode binary = JSON.readTree(lines.get(1));
            assertTrue(binary.get("key").isNull(), lines.get(1));
            assertEquals(Base64.getEncoder().encodeToString(BINARY_KEY), binary.get("keyBase64").asText());
            assertEquals(Base64.getEncoder().encodeToString(BINARY_KEY),
                    binary.get("headersBase64").get("raw").asText());
        }
    }

    private static DeadLetter deadLetter(byte[] key, long offset) {
        return DeadLetter.newBuilder().setKey(ByteBuffer.wrap(key)).setValue(ByteBuffer.wrap(new byte[] {1, 2}))
                .setHeaders(Map.of("lrp-replay-id", ByteBuffer.wrap("replay-7".getBytes(StandardCharsets.UTF_8)),
                        "raw", ByteBuffer.wrap(BINARY_KEY)))
                .setSource(new SourcePosition("predictions", 0, offset)).setStage(FailedStage.VALIDATE)
                .setReason("shape-mismatch").setErrorClass("ShapeException").setErrorMessage("expected [1, 8, 8]")
                .setTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
