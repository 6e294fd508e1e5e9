package io.lrpsidecar.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reading JSON answers of other instances. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static List<ObjectNode> readSummaries(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            List<ObjectNode> summaries = new ArrayList<>();
            node.forEach(element -> summaries.add((ObjectNode) element));
            return summaries;
        } catch (IOException | ClassCastException e) {
            throw new ApiException(Response.Status.BAD_GATEWAY, "expected a JSON array of explanation summaries "
                    + "from another instance: " + e.getMessage());
        }
    }
}
