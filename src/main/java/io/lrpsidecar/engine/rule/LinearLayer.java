package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import java.util.List;

/**
 * A Conv or Dense layer seen as {@code f(x; W, b)}: the view the rules for linear layers are written in. Input 0 is
 * the activation {@code x}, input 1 the weight and input 2 the bias (canonicalization always adds one).
 *
 * @param layer the node
 * @param <T>   the tensor handle of the engine
 */
record LinearLayer<T>(Layer<T> layer) {

    /** Whether a node is a Conv or Dense layer with constant weight and bias, which the linear-layer rules need. */
    static boolean fits(NodeView view) {
        String opType = view.node().opType();
        return (opType.equals("Conv") || opType.equals("Dense")) && view.constant(1) != null;
    }

    T x() {
        return layer.input(0);
    }

    T weight() {
        return layer.input(1);
    }

    T bias() {
        return layer.input(2);
    }

    /** Whether the input is known never to be negative, so terms in {@code x-} vanish. */
    boolean nonNegativeInput() {
        return layer.view().isNonNegative(0);
    }

    /** {@code f(x; W, b)} with substituted input and parameters; {@code bias} may be null for none. */
    T forward(T input, T w, T b) {
        return layer.forward(java.util.Arrays.asList(input, w, b)).get(0);
    }

    /** The transposed layer {@code W^T s} (for a convolution, the transposed convolution) with weight {@code w}. */
    T transposed(T w, T s) {
        return layer.vjp(java.util.Arrays.asList(x(), w, bias()), List.of(s)).get(0);
    }

    /**
     * {@code sum_k Wk^T sk}: for an ungrouped layer one transposed pass with the weights stacked along the output axis
     * and the signals along the feature axis ({@code [W1; W2]^T [s1; s2] = W1^T s1 + W2^T s2}), else one pass each.
     */
    T transposedSum(Primitives<T> p, List<T> weights, List<T> signals) {
        if (layer.view().node().attributes().getInt("group", 1) != 1) {
            T sum = transposed(weights.get(0), signals.get(0));
            for (int k = 1; k < weights.size(); k++) {
                sum = p.add(sum, transposed(weights.get(k), signals.get(k)));
            }
            return sum;
        }
        int featureAxis = layer.kind() == OpKind.CONV ? 1 : p.rank(signals.get(0)) - 1;
        return transposed(p.concat(weights, 0), p.concat(signals, featureAxis));
    }

    /** A per-output bias ({@code b+}, {@code b-}) shaped to broadcast against the output ({@code [M, 1, 1]} for Conv). */
    T outputBias(Primitives<T> p, T b) {
        if (layer.kind() != OpKind.CONV) {
            return b;
        }
        long[] target = new long[p.rank(layer.output()) - 1];
        java.util.Arrays.fill(target, 1);
        target[0] = -1;
        return p.reshape(b, target);
    }

    /** The relevance of the input, aligned with the node's inputs. */
    List<T> toInput(T relevance) {
        return layer.toFirstInput(relevance);
    }
}
