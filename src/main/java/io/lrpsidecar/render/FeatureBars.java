package io.lrpsidecar.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The most relevant features of a tabular input as a horizontal bar chart: one row per feature (name, bar, value),
 * bars from a common zero line, red for positive and blue for negative relevance, lengths proportional to the
 * relevance scaled by the largest magnitude (colours as {@link DivergingColors} at full strength).
 */
public final class FeatureBars {
    private static final int ROW = 22;
    private static final int BAR_AREA = 320;
    private static final int MARGIN = 8;

    private FeatureBars() {
    }

    /** One bar: the feature's label and its relevance. */
    public record Bar(String label, double relevance) {
    }

    public static BufferedImage draw(List<Bar> bars, int scale) {
        if (scale < 1 || scale > Heatmap.MAX_SCALE) {
            throw new IllegalArgumentException("expected a scale from 1 to " + Heatmap.MAX_SCALE + ", found "
                    + scale);
        }
        double[] values = bars.stream().mapToDouble(Bar::relevance).toArray();
        double magnitude = DivergingColors.scale(values);
        boolean anyNegative = bars.stream().anyMatch(bar -> bar.relevance() < 0);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D measure = probe.createGraphics();
        FontMetrics metrics = measure.getFontMetrics(font);
        int labelWidth = bars.stream().mapToInt(bar -> metrics.stringWidth(bar.label())).max().orElse(0);
        int valueWidth = metrics.stringWidth("-0.0000e+00");
        measure.dispose();
        int zero = MARGIN + labelWidth + MARGIN + (anyNegative ? BAR_AREA / 2 : 0);
        int half = anyNegative ? BAR_AREA / 2 : BAR_AREA;
        int width = MARGIN + labelWidth + MARGIN + BAR_AREA + MARGIN + valueWidth + MARGIN;
        int height = MARGIN * 2 + ROW * Math.max(1, bars.size());
        BufferedImage image = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        graphics.scale(scale, scale);
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, width, height);
        graphics.setFont(font);
        for (int row = 0; row < bars.size(); row++) {
            Bar bar = bars.get(row);
            int top = MARGIN + row * ROW;
            int length = magnitude > 0 ? (int) Math.round(half * Math.abs(bar.relevance()) / magnitude) : 0;
            graphics.setColor(bar.relevance() >= 0 ? new Color(DivergingColors.rgb(1, 1))
                    : new Color(DivergingColors.rgb(-1, 1)));
            graphics.fillRect(bar.relevance() >= 0 ? zero : zero - length, top + 3, length, ROW - 6);
            graphics.setColor(Color.BLACK);
            graphics.drawString(bar.label(), MARGIN, top + ROW - 7);
            graphics.drawString(String.format(Locale.ROOT, "%.4e", bar.relevance()),
                    MARGIN + labelWidth + MARGIN + BAR_AREA + MARGIN, top + ROW - 7);
        }
        graphics.setColor(Color.GRAY);
        graphics.drawLine(zero, MARGIN, zero, height - MARGIN);
        graphics.dispose();
        return image;
    }
}
