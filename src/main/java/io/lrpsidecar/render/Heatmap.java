package io.lrpsidecar.render;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * The relevance of an image input as a picture: channels summed per pixel, coloured by {@link DivergingColors}, each
 * pixel enlarged to a {@code scale x scale} block. With the input given, the map is laid over the input in grey:
 * the opacity of a pixel's colour is {@link #OVERLAY_OPACITY} times its |t|, so the input shows through everywhere
 * (fully where relevance is zero), as in the web view's overlay.
 */
public final class Heatmap {
    /** Largest enlargement accepted. */
    public static final int MAX_SCALE = 64;
    /** Opacity of the relevance colour at |R| = max|R| over the grey input. */
    public static final double OVERLAY_OPACITY = 0.6;

    private Heatmap() {
    }

    /**
     * Whether an input of this shape (without batch axis) is drawn as an image: two or more axes, the last two
     * being height and width, the others channels.
     */
    public static boolean isImage(List<Long> shape) {
        return shape.size() >= 2 && shape.get(shape.size() - 1) > 1 && shape.get(shape.size() - 2) > 1;
    }

    /**
     * The heatmap of {@code relevance} (C order, shape {@code shape}), optionally over {@code input} (same shape).
     *
     * @throws IllegalArgumentException when the shape is not an image's or the scale is out of range
     */
    public static BufferedImage draw(double[] relevance, List<Long> shape, Optional<double[]> input, int scale) {
        if (!isImage(shape)) {
            throw new IllegalArgumentException("expected an image shape ([..., height, width]), found " + shape);
        }
        if (scale < 1 || scale > MAX_SCALE) {
            throw new IllegalArgumentException("expected a scale from 1 to " + MAX_SCALE + ", found " + scale);
        }
        int height = Math.toIntExact(shape.get(shape.size() - 2));
        int width = Math.toIntExact(shape.get(shape.size() - 1));
        double[] pixels = sumChannels(relevance, height * width);
        double colourScale = DivergingColors.scale(pixels);
        Optional<double[]> grey = input.map(values -> normalized(sumChannels(values, height * width)));
        BufferedImage image = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int pixel = y * width + x;
                int rgb = DivergingColors.rgb(pixels[pixel], colourScale);
                if (grey.isPresent()) {
                    double opacity = colourScale > 0
                            ? OVERLAY_OPACITY * Math.min(1, Math.abs(pixels[pixel]) / colourScale) : 0;
                    rgb = blend(rgb, grey.get()[pixel], opacity);
                }
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        image.setRGB(x * scale + dx, y * scale + dy, rgb);
                    }
                }
            }
        }
        return image;
    }

    private static double[] sumChannels(double[] values, int plane) {
        if (values.length % plane != 0) {
            throw new IllegalArgumentException("expected a multiple of " + plane + " values, found "
                    + values.length);
        }
        double[] sums = new double[plane];
        for (int i = 0; i < values.length; i++) {
            sums[i % plane] += values[i];
        }
        return sums;
    }

    /** Values mapped to [0, 1] by min-max (all 0.5 when constant). */
    private static double[] normalized(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = max > min ? (values[i] - min) / (max - min) : 0.5;
        }
        return result;
    }

    private static int blend(int rgb, double grey, double opacity) {
        int base = (int) Math.round(255 * grey);
        int red = (int) Math.round(opacity * ((rgb >> 16) & 0xff) + (1 - opacity) * base);
        int green = (int) Math.round(opacity * ((rgb >> 8) & 0xff) + (1 - opacity) * base);
        int blue = (int) Math.round(opacity * (rgb & 0xff) + (1 - opacity) * base);
        return DivergingColors.rgb(red, green, blue);
    }
}
