package io.lrpsidecar.faithfulness;

/**
 * One curve to draw: row {@code row} of the batch, its regions perturbed in {@code order}.
 *
 * @param row   the row of the input batch
 * @param label what the order is, for the result (such as {@code morf})
 * @param order region indices, first perturbed first
 */
public record CurveRequest(int row, String label, int[] order) {
}
