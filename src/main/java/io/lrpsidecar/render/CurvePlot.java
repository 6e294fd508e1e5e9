package io.lrpsidecar.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A line chart of perturbation curves: x from 0 to 1 (the fraction of regions perturbed), y from 0 to the largest
 * value (at least 1, for probabilities), a line per series, solid or dashed, and a legend with every series below
 * the plot area.
 */
public final class CurvePlot {
    private static final int PLOT_WIDTH = 560;
    private static final int PLOT_HEIGHT = 360;
    private static final int LEFT = 64;
    private static final int TOP = 36;
    private static final int BOTTOM = 48;
    private static final int RIGHT = 24;
    private static final int LEGEND_ROW = 18;

    private CurvePlot() {
    }

    /**
     * One line.
     *
     * @param label  the legend text
     * @param x      the x of each point, in [0, 1]
     * @param y      the y of each point
     * @param color  the line colour
     * @param dashed whether the line is dashed
     */
    public record Series(String label, double[] x, double[] y, Color color, boolean dashed) {
        public Series {
            if (x.length != y.length || x.length == 0) {
                throw new IllegalArgumentException("expected as many x as y values (at least one), found " + x.length
                        + " and " + y.length);
            }
        }
    }

    /** The chart of {@code series} with a title and axis labels. */
    public static BufferedImage draw(String title, String xLabel, String yLabel, List<Series> series) {
        double top = 1;
        for (Series line : series) {
            for (double value : line.y()) {
                if (Double.isFinite(value)) {
                    top = Math.max(top, value);
                }
            }
        }
        int height = TOP + PLOT_HEIGHT + BOTTOM + LEGEND_ROW * series.size() + 12;
        BufferedImage image = new BufferedImage(LEFT + PLOT_WIDTH + RIGHT, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            g.setFont(font);
            FontMetrics metrics = g.getFontMetrics();
            g.setColor(Color.BLACK);
            g.setFont(font.deriveFont(Font.BOLD, 14f));
            g.drawString(title, LEFT, TOP - 14);
            g.setFont(font);
            axes(g, metrics, top, xLabel, yLabel);
            for (Series line : series) {
                g.setColor(line.color());
                g.setStroke(line.dashed() ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                        new float[] {8f, 5f}, 0f) : new BasicStroke(2f));
                Path2D.Double path = new Path2D.Double();
                for (int i = 0; i < line.x().length; i++) {
                    double px = LEFT + line.x()[i] * PLOT_WIDTH;
                    double py = TOP + PLOT_HEIGHT - line.y()[i] / top * PLOT_HEIGHT;
                    if (i == 0) {
                        path.moveTo(px, py);
                    } else {
                        path.lineTo(px, py);
                    }
                }
                g.draw(path);
            }
            int y = TOP + PLOT_HEIGHT + BOTTOM;
            for (Series line : series) {
                g.setColor(line.color());
                g.setStroke(line.dashed() ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                        new float[] {8f, 5f}, 0f) : new BasicStroke(2f));
                g.drawLine(LEFT, y - 4, LEFT + 36, y - 4);
                g.setColor(Color.BLACK);
                g.drawString(line.label(), LEFT + 46, y);
                y += LEGEND_ROW;
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void axes(Graphics2D g, FontMetrics metrics, double top, String xLabel, String yLabel) {
        g.setColor(new Color(0xDDDDDD));
        for (int tick = 0; tick <= 4; tick++) {
            int y = TOP + PLOT_HEIGHT - tick * PLOT_HEIGHT / 4;
            int x = LEFT + tick * PLOT_WIDTH / 4;
            g.drawLine(LEFT, y, LEFT + PLOT_WIDTH, y);
            g.drawLine(x, TOP, x, TOP + PLOT_HEIGHT);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT);
        for (int tick = 0; tick <= 4; tick++) {
            String yText = String.format(Locale.ROOT, "%.2f", top * tick / 4);
            int y = TOP + PLOT_HEIGHT - tick * PLOT_HEIGHT / 4;
            g.drawString(yText, LEFT - 6 - metrics.stringWidth(yText), y + metrics.getAscent() / 2 - 1);
            String xText = String.format(Locale.ROOT, "%.2f", tick / 4.0);
            int x = LEFT + tick * PLOT_WIDTH / 4;
            g.drawString(xText, x - metrics.stringWidth(xText) / 2, TOP + PLOT_HEIGHT + metrics.getAscent() + 4);
        }
        g.drawString(xLabel, LEFT + (PLOT_WIDTH - metrics.stringWidth(xLabel)) / 2,
                TOP + PLOT_HEIGHT + 2 * metrics.getHeight() + 6);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(TOP + (PLOT_HEIGHT + metrics.stringWidth(yLabel)) / 2), 16);
        rotated.dispose();
    }
}
