package io.lrpsidecar.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The overlay keeps the input readable: even the most relevant pixel lets the grey input show through. */
class HeatmapOverlayTest {
    @Test
    void theMostRelevantPixelKeepsFortyPercentOfTheInput() {
        double[] relevance = {2, 0, -2, 0};
        double[] input = {1, 1, 0, 0};
        BufferedImage overlay = Heatmap.draw(relevance, List.of(2L, 2L), Optional.of(input), 1);
        assertEquals(0xff6666, overlay.getRGB(0, 0) & 0xffffff, "red over white: 60% colour, 40% white");
        assertEquals(0xffffff, overlay.getRGB(1, 0) & 0xffffff, "no relevance: the input itself");
        assertEquals(0x000099, overlay.getRGB(0, 1) & 0xffffff, "blue over black: 60% colour, 40% black");
        assertEquals(0x000000, overlay.getRGB(1, 1) & 0xffffff, "no relevance: the input itself");
    }
}
