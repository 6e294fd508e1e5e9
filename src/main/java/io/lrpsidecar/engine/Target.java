package io.lrpsidecar.engine;

import java.util.Arrays;

/** Which class each row's explanation is for, and the class it is contrasted with, if any. */
public sealed interface Target {

    /** The target class of every row, given the logits {@code [rows][classes]}. */
    int[] resolve(double[][] logits);

    /**
     * The contrast class of every row ({@link Contrast#NONE} where the explanation is not contrastive), given the
     * logits and the targets {@link #resolve} chose.
     */
    default int[] contrasts(double[][] logits, int[] targets) {
        int[] none = new int[targets.length];
        Arrays.fill(none, Contrast.NONE);
        return none;
    }

    /** The target of rows {@code [from, to)} of the batch this target was made for. */
    default Target slice(int from, int to) {
        return this;
    }

    /** The argmax of each row's logits (first maximum on ties). */
    record Predicted() implements Target {
        @Override
        public int[] resolve(double[][] logits) {
            int[] targets = new int[logits.length];
            for (int row = 0; row < logits.length; row++) {
                for (int k = 1; k < logits[row].length; k++) {
                    if (logits[row][k] > logits[row][targets[row]]) {
                        targets[row] = k;
                    }
                }
            }
            return targets;
        }
    }

    /** The same class for every row. */
    record ClassIndex(int index) implements Target {
        @Override
        public int[] resolve(double[][] logits) {
            int[] targets = new int[logits.length];
            Arrays.fill(targets, index);
            checkRange(targets, logits);
            return targets;
        }
    }

    /** One class per row, such as the dataset labels. */
    record PerRow(long[] labels) implements Target {
        @Override
        public int[] resolve(double[][] logits) {
            if (labels.length != logits.length) {
                throw new TargetException("expected one label per input row (" + logits.length + "), found "
                        + labels.length);
            }
            int[] targets = new int[labels.length];
            for (int row = 0; row < labels.length; row++) {
                if (labels[row] < 0 || labels[row] > Integer.MAX_VALUE) {
                    throw new TargetException("label " + labels[row] + " of row " + row + " is out of range");
                }
                targets[row] = (int) labels[row];
            }
            checkRange(targets, logits);
            return targets;
        }

        @Override
        public PerRow slice(int from, int to) {
            return new PerRow(Arrays.copyOfRange(labels, from, to));
        }
    }

    /** One class per row, or the predicted class where the requested class is negative. */
    record PerRowOrPredicted(int[] requested) implements Target {
        @Override
        public int[] resolve(double[][] logits) {
            if (requested.length != logits.length) {
                throw new TargetException("expected one target per input row (" + logits.length + "), found "
                        + requested.length);
            }
            int[] predicted = new Predicted().resolve(logits);
            int[] targets = new int[requested.length];
            for (int row = 0; row < targets.length; row++) {
                targets[row] = requested[row] < 0 ? predicted[row] : requested[row];
            }
            checkRange(targets, logits);
            return targets;
        }

        @Override
        public PerRowOrPredicted slice(int from, int to) {
            return new PerRowOrPredicted(Arrays.copyOfRange(requested, from, to));
        }
    }

    /**
     * "Why the target rather than K": the relevance of {@code target} minus the relevance of the contrast class K,
     * from one backward pass. The explained output starts with
     * <pre>R = onehot(t) * s_t - onehot(K) * s_K</pre>
     * where {@code s} is the logit ({@link InitMode#LOGIT}) or 1 ({@link InitMode#ONEHOT}). Every rule maps the
     * relevance it receives linearly, for fixed forward values: {@code R_in = M(x, z) R_out}, where {@code M} depends
     * on the activations, weights and pre-activations only (epsilon, z+, gamma, w-square, flat, z-box and
     * alpha-beta divide {@code R} by a stabilised {@code z} and split by the sign of {@code z} or {@code w}, never of
     * {@code R}; AttnLRP's softmax rule {@code x (R - y sum R)}, its bilinear rule {@code R / (n y)} and its
     * layer-norm rule are linear in {@code R}; pass, mean, uniform and the gradient are too; winner routing picks
     * by the forward values). So the result is exactly {@code rel(t) - rel(K)} of two separate explanations, and so
     * is every ledger sum. {@link Explanation#initialRelevance} is {@code s_t - s_K}. Where K equals the target the
     * relevance is 0 by construction ({@link Explanation#contrastIsTarget}).
     *
     * @param target  which class to explain
     * @param against which class to set it against
     */
    record Contrastive(Target target, Contrast against) implements Target {
        public Contrastive {
            if (target instanceof Contrastive) {
                throw new TargetException("a contrastive target cannot contrast a contrastive target");
            }
        }

        @Override
        public int[] resolve(double[][] logits) {
            return target.resolve(logits);
        }

        @Override
        public int[] contrasts(double[][] logits, int[] targets) {
            return against.resolve(logits, targets);
        }

        @Override
        public Contrastive slice(int from, int to) {
            return new Contrastive(target.slice(from, to), against.slice(from, to));
        }
    }

    private static void checkRange(int[] targets, double[][] logits) {
        int classes = logits.length == 0 ? 0 : logits[0].length;
        for (int row = 0; row < targets.length; row++) {
            if (targets[row] < 0 || targets[row] >= classes) {
                throw new TargetException("target class " + targets[row] + (targets.length > 1 ? " of row " + row
                        : "") + " is out of range: the model has " + classes + " classes (0.." + (classes - 1) + ")");
            }
        }
    }

    /** A target that does not fit the model or the input. */
    final class TargetException extends IllegalArgumentException {
        public TargetException(String message) {
            super(message);
        }
    }
}
