package io.lrpsidecar.faithfulness;

import java.util.Arrays;

/**
 * How the input is cut into the regions that are perturbed together: {@code 1} (each element: a pixel with all its
 * channels, a tabular feature, a token) or {@code RxC} cells of the last two axes of an image.
 *
 * @param height cell height, in elements of the second-to-last axis
 * @param width  cell width, in elements of the last axis
 */
public record RegionSpec(int height, int width) {
    public static final RegionSpec SINGLE = new RegionSpec(1, 1);

    public RegionSpec {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("expected a region of at least 1x1, found " + height + "x" + width);
        }
    }

    /** Parses {@code 1}, {@code N} (an NxN cell) or {@code RxC}. */
    public static RegionSpec parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (parts.length == 1) {
                int size = Integer.parseInt(parts[0]);
                return new RegionSpec(size, size);
            }
            if (parts.length == 2) {
                return new RegionSpec(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("region '" + text + "': expected 1, N or RxC with whole numbers of "
                    + "at least 1 (such as 2x2 or 8x8)");
        }
        throw new IllegalArgumentException("region '" + text + "': expected 1, N or RxC (such as 2x2 or 8x8)");
    }

    /**
     * The regions of one row of shape {@code rowShape} (without the batch axis). A rank-1 row (tabular features or
     * token ids) has one region per element and takes only {@code 1}; a row of rank 2 or more is cut into cells over
     * its last two axes, each cell holding every element of the leading axes (all channels of its pixels); cells at
     * the lower and right edges are smaller when the axes are not multiples of the cell.
     */
    public Regions regions(int[] rowShape) {
        int size = Arrays.stream(rowShape).reduce(1, (a, b) -> a * b);
        if (rowShape.length < 2) {
            if (!equals(SINGLE)) {
                throw new IllegalArgumentException("region " + this + " needs an input of rank 2 or more per row "
                        + "(an image); this model's rows are " + Arrays.toString(rowShape)
                        + ", where each feature or token is one region (region 1)");
            }
            int[] regionOf = new int[size];
            for (int i = 0; i < size; i++) {
                regionOf[i] = i;
            }
            return new Regions(size, regionOf);
        }
        int rows = rowShape[rowShape.length - 2];
        int columns = rowShape[rowShape.length - 1];
        int cellRows = ceilDiv(rows, height);
        int cellColumns = ceilDiv(columns, width);
        int[] regionOf = new int[size];
        for (int i = 0; i < size; i++) {
            int column = i % columns;
            int row = (i / columns) % rows;
            regionOf[i] = (row / height) * cellColumns + column / width;
        }
        return new Regions(cellRows * cellColumns, regionOf);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return height == 1 && width == 1 ? "1" : height + "x" + width;
    }
}
