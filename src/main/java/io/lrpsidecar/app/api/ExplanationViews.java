package io.lrpsidecar.app.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.Token;
import io.lrpsidecar.render.DivergingColors;
import io.lrpsidecar.stream.AvroJson;
import io.lrpsidecar.stream.RecentExplanations;
import io.lrpsidecar.stream.TensorCodec;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * JSON views of stored explanations: the whole record (as the Avro record), a summary for lists (marking the original
 * explanation of its event apart from replayed ones), and the summary with the addresses of the explanation and its
 * heatmap for the list of one event's explanations. The whole record
 * of a token model adds {@code tokenHeatmap}: each token's colour on the image heatmap's diverging scale
 * ({@link DivergingColors}, scaled by the largest |relevance| of the tokens that do not pad) and the colour bar, so
 * the web view draws tokens with exactly the colours of the image heatmap.
 */
final class ExplanationViews {
    /** Colours of the colour bar, from -max|R| through 0 to +max|R|. */
    static final int COLOUR_BAR_STEPS = 21;

    private ExplanationViews() {
    }

    static ObjectNode full(Explanation explanation) {
        return full(explanation, false);
    }

    /** The whole record; with {@code base64Tensors} the relevance as {@link #base64} (not turned into numbers). */
    static ObjectNode full(Explanation explanation, boolean base64Tensors) {
        ObjectNode node = (ObjectNode) AvroJson.toJson(base64Tensors ? Explanation.newBuilder(explanation)
                .setRelevance(io.lrpsidecar.events.v1.Tensor.newBuilder(explanation.getRelevance())
                        .setData(ByteBuffer.allocate(0)).build()).build() : explanation);
        if (base64Tensors) {
            node.set("relevance", base64(explanation.getRelevance()));
        }
        if (explanation.getTokens() != null) {
            node.set("tokenHeatmap", tokenHeatmap(explanation.getTokens(),
                    TensorCodec.values(explanation.getRelevance())));
        }
        return node;
    }

    /** Tokens with position, id, string, relevance, colour ({@code #rrggbb}, null for padding) and the colour bar. */
    static ObjectNode tokenHeatmap(List<Token> tokens, double[] relevance) {
        if (tokens.size() != relevance.length) {
            throw new IllegalArgumentException("expected one relevance value per token (" + tokens.size()
                    + "), found " + relevance.length);
        }
        double[] content = new double[relevance.length];
        for (int i = 0; i < relevance.length; i++) {
            content[i] = tokens.get(i).getPadding() ? 0 : relevance[i];
        }
        double scale = DivergingColors.scale(content);
        ObjectNode heatmap = JsonNodeFactory.instance.objectNode();
        heatmap.set("scale", AvroJson.toJson(scale));
        ArrayNode chips = heatmap.putArray("tokens");
        for (int position = 0; position < tokens.size(); position++) {
            Token token = tokens.get(position);
            ObjectNode chip = chips.addObject();
            chip.put("position", position);
            chip.put("id", token.getId());
            chip.put("text", token.getText() != null ? token.getText() : String.valueOf(token.getId()));
            chip.put("padding", token.getPadding());
            chip.set("relevance", AvroJson.toJson(relevance[position]));
            chip.put("colour", token.getPadding() ? null : hex(DivergingColors.rgb(relevance[position], scale)));
        }
        ArrayNode bar = heatmap.putArray("colourBar");
        for (int step = 0; step < COLOUR_BAR_STEPS; step++) {
            double t = -1 + 2.0 * step / (COLOUR_BAR_STEPS - 1);
            bar.add(hex(DivergingColors.rgb(t, 1)));
        }
        return heatmap;
    }

    /**
     * Whether the query parameter {@code tensors} asks for tensors as base64 ({@code base64}: {@code {dtype, shape,
     * data}}, the little-endian bytes, compact for images) rather than as number lists ({@code values}, the default).
     */
    static boolean base64Tensors(String parameter) {
        if (parameter == null || parameter.equals("values")) {
            return false;
        }
        if (parameter.equals("base64")) {
            return true;
        }
        throw new ApiException(jakarta.ws.rs.core.Response.Status.BAD_REQUEST, "bad-parameter", "expected query "
                + "parameter tensors to be values or base64, found '" + (parameter.length() > 100
                ? parameter.substring(0, 100) + "..." : parameter) + "'");
    }

    /** A tensor as {@code {dtype, shape, data}}, data being its little-endian bytes in base64. */
    static ObjectNode base64(io.lrpsidecar.events.v1.Tensor tensor) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("dtype", tensor.getDtype().name());
        ArrayNode shape = node.putArray("shape");
        tensor.getShape().forEach(shape::add);
        node.set("data", AvroJson.toJson(tensor.getData()));
        return node;
    }

    private static String hex(int rgb) {
        return String.format("#%06x", rgb);
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
        if (explanation.getContrastClass() != null) {
            node.put("contrastClass", explanation.getContrastClass());
        }
        node.put("predictedClass", explanation.getPredictedClass());
        node.set("flags", AvroJson.toJson(explanation.getFlags()));
        node.set("conservationError", AvroJson.toJson(explanation.getConservationError()));
        node.put("storedAt", Instant.ofEpochMilli(stored.storedAt()).toString());
        node.put("original", !stored.replayed());
        return node;
    }

    /** The summary with the addresses of this very explanation ({@code composite} hash and {@code origin}). */
    static ObjectNode listed(RecentExplanations.Stored stored) {
        ObjectNode node = summary(stored);
        String eventId = URLEncoder.encode(stored.explanation().getEventId(), StandardCharsets.UTF_8)
                .replace("+", "%20");
        String query = "?composite=" + stored.explanation().getCompositeHash() + "&origin="
                + Origin.of(stored).word();
        node.put("url", "/explanations/" + eventId + query);
        node.put("heatmapUrl", "/explanations/" + eventId + "/heatmap.png" + query);
        return node;
    }
}
