package io.lrpsidecar.engine;

import java.util.Arrays;

/**
 * The class a contrastive explanation is set against ("why the target rather than K"): a fixed class, the runner-up
 * (the most probable class other than the target), or one request per row.
 *
 * <p>Every request is coded as an int per row, the form the compiled explainer takes as its {@code contrast} input:
 * a class index {@code >= 0}, {@link #NONE} (no contrast: the plain explanation of the target) or {@link #RUNNER_UP}.
 */
public sealed interface Contrast {
    /** Coded request: no contrast for this row. */
    int NONE = -1;
    /** Coded request: the runner-up, the largest logit other than the target's (first on ties). */
    int RUNNER_UP = -2;

    /** The coded request of each of {@code rows} rows, the class indices checked against {@code classes}. */
    int[] requested(int rows, int classes);

    /** The rows {@code [from, to)} of the batch this contrast was made for. */
    default Contrast slice(int from, int to) {
        return this;
    }

    /**
     * The contrast class of every row ({@link #NONE} where a row has none), given the logits {@code [rows][classes]}
     * and the resolved targets.
     */
    default int[] resolve(double[][] logits, int[] targets) {
        int classes = logits.length == 0 ? 0 : logits[0].length;
        int[] contrasts = requested(logits.length, classes);
        for (int row = 0; row < contrasts.length; row++) {
            if (contrasts[row] == RUNNER_UP) {
                contrasts[row] = runnerUp(logits[row], targets[row]);
            } else if (contrasts[row] < 0) {
                contrasts[row] = NONE;
            }
        }
        return contrasts;
    }

    /** The index of the largest logit other than {@code target}'s (first on ties); {@link #NONE} for one class. */
    static int runnerUp(double[] logits, int target) {
        int best = NONE;
        for (int k = 0; k < logits.length; k++) {
            if (k != target && (best == NONE || logits[k] > logits[best])) {
                best = k;
            }
        }
        return best;
    }

    /** The same class for every row. */
    record Fixed(int classIndex) implements Contrast {
        @Override
        public int[] requested(int rows, int classes) {
            checkClass(classIndex, classes, "");
            int[] requested = new int[rows];
            Arrays.fill(requested, classIndex);
            return requested;
        }
    }

    /** The runner-up of every row. */
    record RunnerUp() implements Contrast {
        @Override
        public int[] requested(int rows, int classes) {
            if (classes < 2) {
                throw new Target.TargetException("the runner-up needs at least 2 classes, the model has " + classes);
            }
            int[] requested = new int[rows];
            Arrays.fill(requested, RUNNER_UP);
            return requested;
        }
    }

    /** One coded request per row (a class, {@link #NONE} or {@link #RUNNER_UP}), such as one per stream event. */
    record PerRow(int[] codes) implements Contrast {
        @Override
        public int[] requested(int rows, int classes) {
            if (codes.length != rows) {
                throw new Target.TargetException("expected one contrast per input row (" + rows + "), found "
                        + codes.length);
            }
            for (int row = 0; row < rows; row++) {
                if (codes[row] >= 0) {
                    checkClass(codes[row], classes, rows > 1 ? " of row " + row : "");
                } else if (codes[row] == RUNNER_UP && classes < 2) {
                    throw new Target.TargetException("the runner-up needs at least 2 classes, the model has "
                            + classes);
                }
            }
            return codes.clone();
        }

        @Override
        public PerRow slice(int from, int to) {
            return new PerRow(Arrays.copyOfRange(codes, from, to));
        }
    }

    private static void checkClass(int classIndex, int classes, String where) {
        if (classIndex < 0 || classIndex >= classes) {
            throw new Target.TargetException("contrast class " + classIndex + where + " is out of range: the model "
                    + "has " + classes + " classes (0.." + (classes - 1) + ")");
        }
    }
}
