package io.lrpsidecar.app.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.stream.AvroJson;
import io.lrpsidecar.stream.RecentExplanations;
import java.time.Instant;

/** JSON views of stored explanations: the whole record (as the Avro record), or a summary for lists. */
final class ExplanationViews {
    private ExplanationViews() {
    }

    static ObjectNode full(Explanation explanation) {
        return (ObjectNode) AvroJson.toJson(explanation);
    }

    static ObjectNode summary(RecentExplanations.Stored stored) {
        Explanation explanation = stored.explanation();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("eventId", explanation.getEventId());
        node.put("modelName", explanation.getModelName());
        node.put("modelVersion", explanation.getModelVersion());
        node.put("composite", explanation.getComposite());
        node.put("compositeHash", explanation.getCompositeHash());
        node.put("targetClass", explanation.getTargetClass());
        node.put("targetSource", explanation.getTargetSource().name());
        node.put("predictedClass", explanation.getPredictedClass());
        node.set("flags", AvroJson.toJson(explanation.getFlags()));
        node.set("conservationError", AvroJson.toJson(explanation.getConservationError()));
        node.put("storedAt", Instant.ofEpochMilli(stored.storedAt()).toString());
        return node;
    }
}
