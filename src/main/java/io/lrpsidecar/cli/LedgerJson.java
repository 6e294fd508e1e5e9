package io.lrpsidecar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.LedgerEntry;
import io.lrpsidecar.engine.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the conservation ledger as JSON: per row the target, the explained logit (for a contrastive target also the
 * contrast class and its logit, and {@code contrast} at the top: the class or {@code second}), the relevance put on
 * it ({@code s_t - s_K} when contrastive), the sum of the input relevance and the relative conservation error, and
 * per layer (topological order) the relevance in, out, absorbed and the layer's relative error. Non-finite numbers are written as {@code null}.
 */
final class LedgerJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LedgerJson() {
    }

    static void write(Path file, String model, String composite, InitMode init, Target target,
            Explanation explanation) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("model", model);
        root.put("composite", composite);
        root.put("init", init.name().toLowerCase(Locale.ROOT));
        root.put("targetChosenBy", TargetOption.describe(target));
        String contrast = TargetOption.contrastOf(target);
        if (contrast != null) {
            root.put("contrast", contrast);
        }
        ArrayNode rows = root.putArray("rows");
        for (int row = 0; row < explanation.rows(); row++) {
            int targetClass = explanation.targets()[row];
            ObjectNode entry = rows.addObject();
            entry.put("row", row);
            entry.put("target", targetClass);
            number(entry, "logit", explanation.logit(row, targetClass));
            if (explanation.contrastive(row)) {
                int contrastClass = explanation.contrasts()[row];
                entry.put("contrastClass", contrastClass);
                number(entry, "contrastLogit", explanation.logit(row, contrastClass));
            }
            number(entry, "initialRelevance", explanation.initialRelevance()[row]);
            number(entry, "relevanceSum", explanation.relevanceSum(row));
            number(entry, "conservationError", explanation.conservationError(row));
            ArrayNode layers = entry.putArray("layers");
            for (LedgerEntry layer : explanation.ledger()) {
                ObjectNode item = layers.addObject();
                item.put("name", layer.name());
                item.put("opType", layer.opType());
                item.put("rule", layer.rule());
                number(item, "relevanceIn", layer.relevanceIn()[row]);
                number(item, "relevanceOut", layer.relevanceOut()[row]);
                number(item, "absorbed", layer.absorbed(row));
                number(item, "relativeError", layer.relativeError(row));
            }
        }
        MAPPER.writeValue(file.toFile(), root);
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }
}
