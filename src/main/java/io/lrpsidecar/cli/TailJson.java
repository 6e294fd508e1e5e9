package io.lrpsidecar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.stream.AvroJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON line {@code lrp tail} prints for a record: {@link AvroJson}'s form, except that a dead letter's key and
 * header values are shown as text when they are UTF-8 (event ids, replay ids), and in base64 under
 * {@code keyBase64} (or {@code headersBase64}) only when they are not.
 */
final class TailJson {
    private TailJson() {
    }

    static JsonNode render(Object record) {
        JsonNode json = AvroJson.toJson(record);
        if (record instanceof DeadLetter deadLetter) {
            ObjectNode node = (ObjectNode) json;
            if (deadLetter.getKey() != null) {
                Optional<String> key = text(deadLetter.getKey());
                if (key.isPresent()) {
                    node.put("key", key.get());
                } else {
                    node.set("keyBase64", node.remove("key"));
                    node.putNull("key");
                }
            }
            ObjectNode headers = node.putObject("headers");
            ObjectNode binaryHeaders = null;
            for (Map.Entry<String, ByteBuffer> header : deadLetter.getHeaders().entrySet()) {
                Optional<String> value = text(header.getValue());
                if (value.isPresent()) {
                    headers.put(header.getKey(), value.get());
                } else {
                    binaryHeaders = binaryHeaders != null ? binaryHeaders : node.putObject("headersBase64");
                    binaryHeaders.set(header.getKey(), AvroJson.toJson(header.getValue()));
                }
            }
        }
        return json;
    }

    /** The bytes as text when they are well-formed UTF-8. */
    static Optional<String> text(ByteBuffer bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.duplicate()).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
