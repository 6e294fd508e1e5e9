package io.lrpsidecar.cli;

import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.Arrays;

/** Parses {@code --baseline zero|mean|blur[:SIGMA]|pad:ID|@file.npy} and picks the default for a model. */
final class BaselineOption {
    /** The blur's standard deviation, in elements, when {@code blur} is given without one. */
    static final double DEFAULT_SIGMA = 1.0;

    private BaselineOption() {
    }

    /**
     * The baseline {@code text} names, or without one: {@code pad:0} for a token model, the mean of the rows for
     * rank-1 (tabular) rows, zero for images.
     */
    static Baseline parse(String text, boolean tokenInput, Tensor rows) {
        int[] rowShape = Arrays.copyOfRange(rows.shape(), 1, rows.rank());
        if (text == null) {
            return tokenInput ? new Baseline.Pad(0) : rowShape.length == 1 ? Baseline.Fixed.meanOf(rows)
                    : new Baseline.Zero();
        }
        String expected = "expected zero, mean, blur[:SIGMA], pad:ID or @file.npy";
        if (tokenInput && !text.startsWith("pad:") && !text.equals("zero")) {
            throw new UserInputException("--baseline " + text + ": this model takes token ids, whose perturbed "
                    + "tokens become a padding id; expected pad:ID (or zero, the same as pad:0)");
        }
        if (text.equals("zero")) {
            return new Baseline.Zero();
        }
        if (text.equals("mean")) {
            return Baseline.Fixed.meanOf(rows);
        }
        if (text.equals("blur") || text.startsWith("blur:")) {
            if (rowShape.length < 2) {
                throw new UserInputException("--baseline " + text + ": the blur baseline needs image rows (rank 2 or "
                        + "more), this model's rows are " + Arrays.toString(rowShape));
            }
            double sigma = DEFAULT_SIGMA;
            if (text.startsWith("blur:")) {
                sigma = number(text, text.substring("blur:".length()), "blur:SIGMA with a number above 0");
            }
            try {
                return new Baseline.Blur(sigma);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--baseline " + text + ": " + e.getMessage());
            }
        }
        if (text.startsWith("pad:")) {
            try {
                return new Baseline.Pad(Long.parseLong(text.substring("pad:".length())));
            } catch (NumberFormatException e) {
                throw new UserInputException("--baseline " + text + ": expected pad:ID with a whole number ID");
            }
        }
        if (text.startsWith("@") && text.length() > 1) {
            Tensor values = Npy.read(Path.of(text.substring(1))).tensor();
            int rowSize = rows.size() / rows.dim(0);
            boolean oneRow = Arrays.equals(values.shape(), rowShape) || (values.rank() == rowShape.length + 1
                    && values.dim(0) == 1 && values.size() == rowSize);
            if (!oneRow) {
                throw new UserInputException("--baseline " + text + ": expected one row of shape "
                        + Arrays.toString(rowShape) + " (or [1, ...]), found " + Arrays.toString(values.shape()));
            }
            return new Baseline.Fixed(text, values.asDoubles());
        }
        throw new UserInputException("--baseline " + text + ": " + expected);
    }

    private static double number(String text, String value, String expected) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UserInputException("--baseline " + text + ": expected " + expected);
        }
    }
}
