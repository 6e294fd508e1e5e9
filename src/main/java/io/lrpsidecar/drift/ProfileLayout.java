package io.lrpsidecar.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cells over which a model's relevance is profiled, and which cell each input element falls in.
 * An event's contribution to a profile is its signed relevance summed per cell over its total relevance magnitude
 * ({@link #contribution}): the net share of the explanation's evidence, for the explained class or against it, that
 * each cell holds. {@link ProfileShare} explains why net evidence and not |relevance|.
 */
public sealed interface ProfileLayout {

    /** The number of cells. */
    int cells();

    /** A label per cell, for people. */
    List<String> labels();

    /** {@code features}, {@code grid} or {@code tokens}. */
    String kind();

    /** The relevance values of one event, in C order of its input. */
    int inputSize();

    /**
     * Per cell, the sum of {@code values} over the input elements in it.
     *
     * @param values one value per input element (C order)
     * @param tokens the token ids of a token model's input, or null
     */
    double[] cellSums(double[] values, long[] tokens);

    /**
     * The signed share of one event's evidence per cell: its relevance (toward the explained class) summed per
     * cell, divided by the event's total relevance magnitude, {@code share_j = R_j / Σ_k |R_k|}. The shares' absolute
     * values sum to at most 1. Empty when the relevance has no finite, non-zero magnitude (such an event tells nothing
     * of where the evidence lies).
     */
    default Optional<double[]> contribution(double[] relevance, long[] tokens) {
        if (relevance.length != inputSize()) {
            throw new IllegalArgumentException("expected " + inputSize() + " relevance values for a " + kind()
                    + " profile, found " + relevance.length);
        }
        double total = 0;
        for (double value : relevance) {
            total += Math.abs(value);
        }
        if (!(total > 0) || !Double.isFinite(total)) {
            return Optional.empty();
        }
        double[] cells = cellSums(relevance, tokens);
        for (int cell = 0; cell < cells.length; cell++) {
            cells[cell] /= total;
        }
        return Optional.of(cells);
    }

    /**
     * The layout for an input of the given per-row shape: token ids give {@link Tokens}; a rank-3 {@code [C,H,W]} or
     * rank-2 {@code [H,W]} input a {@link Grid}; anything else one cell per element, {@link Features}.
     */
    static ProfileLayout of(List<Integer> rowShape, boolean tokenInput, List<String> featureNames,
            DriftSettings settings) {
        int size = rowShape.stream().reduce(1, Math::multiplyExact);
        if (tokenInput) {
            return new Tokens(size, settings.tokenBuckets());
        }
        if (rowShape.size() == 3 || rowShape.size() == 2) {
            int channels = rowShape.size() == 3 ? rowShape.get(0) : 1;
            int height = rowShape.get(rowShape.size() - 2);
            int width = rowShape.get(rowShape.size() - 1);
            return new Grid(channels, height, width, Math.min(settings.gridRows(), height),
                    Math.min(settings.gridColumns(), width));
        }
        return new Features(size, featureNames.size() == size ? featureNames : List.of());
    }

    /** One cell per input feature, labelled with the configured feature names where there are any. */
    record Features(int count, List<String> names) implements ProfileLayout {
        public Features {
            names = List.copyOf(names);
        }

        @Override
        public int cells() {
            return count;
        }

        @Override
        public List<String> labels() {
            List<String> labels = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                labels.add(names.isEmpty() ? "feature " + i : names.get(i));
            }
            return labels;
        }

        @Override
        public String kind() {
            return "features";
        }

        @Override
        public int inputSize() {
            return count;
        }

        @Override
        public double[] cellSums(double[] values, long[] tokens) {
            return values.clone();
        }
    }

    /**
     * A coarse grid over an image {@code [C,H,W]}, channels summed: pixel {@code (h, w)} is in row
     * {@code floor(h * rows / H)} and column {@code floor(w * columns / W)}; cells are numbered row by row.
     */
    record Grid(int channels, int height, int width, int rows, int columns) implements ProfileLayout {
        @Override
        public int cells() {
            return rows * columns;
        }

        @Override
        public List<String> labels() {
            List<String> labels = new ArrayList<>(cells());
            for (int row = 0; row < rows; row++) {
                for (int column = 0; column < columns; column++) {
                    labels.add("row " + row + ", column " + column);
                }
            }
            return labels;
        }

        @Override
        public String kind() {
            return "grid";
        }

        @Override
        public int inputSize() {
            return channels * height * width;
        }

        @Override
        public double[] cellSums(double[] values, long[] tokens) {
            double[] cells = new double[cells()];
            for (int channel = 0; channel < channels; channel++) {
                for (int h = 0; h < height; h++) {
                    int offset = (channel * height + h) * width;
                    int row = h * rows / height;
                    for (int w = 0; w < width; w++) {
                        cells[row * columns + w * columns / width] += values[offset + w];
                    }
                }
            }
            return cells;
        }
    }

    /** Token inputs: a cell per position and vocabulary bucket ({@code id mod buckets}), position-major. */
    record Tokens(int positions, int buckets) implements ProfileLayout {
        @Override
        public int cells() {
            return positions * buckets;
        }

        @Override
        public List<String> labels() {
            List<String> labels = new ArrayList<>(cells());
            for (int position = 0; position < positions; position++) {
                for (int bucket = 0; bucket < buckets; bucket++) {
                    labels.add("position " + position + ", ids mod " + buckets + " = " + bucket);
                }
            }
            return labels;
        }

        @Override
        public String kind() {
            return "tokens";
        }

        @Override
        public int inputSize() {
            return positions;
        }

        @Override
        public double[] cellSums(double[] values, long[] tokens) {
            if (tokens == null || tokens.length != positions) {
                throw new IllegalArgumentException("expected " + positions + " token ids, found "
                        + (tokens == null ? "none" : tokens.length));
            }
            double[] cells = new double[cells()];
            for (int position = 0; position < positions; position++) {
                cells[position * buckets + (int) Math.floorMod(tokens[position], (long) buckets)] += values[position];
            }
            return cells;
        }
    }
}
