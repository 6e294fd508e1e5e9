package io.lrpsidecar.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.events.v1.Token;
import io.lrpsidecar.render.DivergingColors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The token heatmap of the explanation view: the image heatmap's colours per token, padding grey, the colour bar. */
class TokenHeatmapViewTest {
    private static Token token(long id, String text, boolean padding) {
        return Token.newBuilder().setId(id).setText(text).setPadding(padding).build();
    }

    @Test
    void tokensTakeTheDivergingColoursScaledByTheLargestNonPaddingRelevance() {
        List<Token> tokens = List.of(token(1, "[CLS]", false), token(3, "great", false), token(6, null, false),
                token(0, "[PAD]", true));
        ObjectNode heatmap = ExplanationViews.tokenHeatmap(tokens, new double[] {0.5, 2.0, -1.0, 7.0});
        assertEquals(2.0, heatmap.get("scale").asDouble(), "padding does not set the scale");
        JsonNode chips = heatmap.get("tokens");
        assertEquals(4, chips.size());
        assertEquals(String.format("#%06x", DivergingColors.rgb(0.5, 2.0)), chips.get(0).get("colour").asText());
        assertEquals("#ff0000", chips.get(1).get("colour").asText(), "the largest positive token is full red");
        assertEquals("#8080ff", chips.get(2).get("colour").asText(), "half the scale negative is half blue");
        assertEquals("6", chips.get(2).get("text").asText(), "without a string the id is shown");
        assertTrue(chips.get(3).get("colour").isNull(), "padding is drawn grey, not on the scale");
        assertTrue(chips.get(3).get("padding").asBoolean());
        assertEquals(2, chips.get(2).get("position").asInt());
        JsonNode bar = heatmap.get("colourBar");
        assertEquals(ExplanationViews.COLOUR_BAR_STEPS, bar.size());
        assertEquals("#0000ff", bar.get(0).asText());
        assertEquals("#ffffff", bar.get(ExplanationViews.COLOUR_BAR_STEPS / 2).asText());
        assertEquals("#ff0000", bar.get(ExplanationViews.COLOUR_BAR_STEPS - 1).asText());
    }

    @Test
    void relevanceMustHaveOneValuePerToken() {
        var refused = assertThrows(IllegalArgumentException.class, () -> ExplanationViews.tokenHeatmap(
                List.of(token(1, "a", false)), new double[] {1, 2}));
        assertEquals("expected one relevance value per token (1), found 2", refused.getMessage());
    }
}
