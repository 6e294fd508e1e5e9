package io.lrpsidecar.engine;

/**
 * The conservation account of one layer for each row of a batch: the relevance entering the layer (at its output),
 * the relevance leaving it (summed over its inputs), and what the layer absorbed (bias, stabilizer) or created.
 *
 * @param name          the node name
 * @param opType        the node's operator
 * @param rule          the canonical spec of the rule applied
 * @param relevanceIn   per row: the sum of the relevance at the layer's output
 * @param relevanceOut  per row: the sum of the relevance the layer passed to its inputs
 */
public record LedgerEntry(String name, String opType, String rule, double[] relevanceIn, double[] relevanceOut) {

    /** {@code in - out}: positive where the layer absorbed relevance, negative where it created some. */
    public double absorbed(int row) {
        return relevanceIn[row] - relevanceOut[row];
    }

    /** {@code |in - out| / |in|} (0 when nothing entered and nothing left). */
    public double relativeError(int row) {
        return ConservationMath.relativeError(relevanceIn[row], relevanceOut[row]);
    }
}
