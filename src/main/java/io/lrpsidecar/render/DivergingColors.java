package io.lrpsidecar.render;

/**
 * The symmetric diverging colour map of relevance: {@code t = R / max|R|} in [-1, 1]; positive values go from white
 * to red (255, 255(1-t), 255(1-t)), negative ones from white to blue (255(1+t), 255(1+t), 255); zero is white.
 * Symmetric scaling keeps the colour of a value comparable between its sign (Montavon et al., "Methods for
 * interpreting and understanding deep neural networks", Digital Signal Processing 73, 2018, fig. 3 uses this map).
 */
public final class DivergingColors {
    private DivergingColors() {
    }

    /** The RGB colour of a relevance value scaled by the largest magnitude ({@code scale > 0}). */
    public static int rgb(double relevance, double scale) {
        double t = scale > 0 ? Math.max(-1, Math.min(1, relevance / scale)) : 0;
        int fade = (int) Math.round(255 * (1 - Math.abs(t)));
        return t >= 0 ? rgb(255, fade, fade) : rgb(fade, fade, 255);
    }

    /** The largest magnitude of the values, the scale of {@link #rgb}. */
    public static double scale(double[] values) {
        double max = 0;
        for (double value : values) {
            if (Double.isFinite(value)) {
                max = Math.max(max, Math.abs(value));
            }
        }
        return max;
    }

    static int rgb(int red, int green, int blue) {
        return (red << 16) | (green << 8) | blue;
    }
}
