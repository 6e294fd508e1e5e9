package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.Arrays;

/**
 * A ZBox input bound: a scalar, or an array given per feature (broadcast over the batch), with the spec text it was
 * given as.
 *
 * @param values the bound values
 * @param spec   how the bound is written in a canonical composite spec ({@code 0}, {@code @low.npy#1a2b3c4d})
 */
public record Bound(Tensor values, String spec) {

    public static Bound scalar(double value) {
        return new Bound(Tensor.scalar(value), Specs.number(value));
    }

    /**
     * The bound over an input {@code x}, following zennit: a scalar fills {@code x}'s shape; a tensor of the shape of
     * one row ({@code x.shape[1:]}) or with a leading axis of 1 broadcasts over the batch; a larger leading axis gives
     * one row per batch element and is cut to the batch.
     */
    public <T> T over(Primitives<T> p, T x) {
        int rank = p.rank(x);
        if (values.size() == 1) {
            return p.add(p.zerosLike(x), p.scalar(values.asDoubles()[0]));
        }
        int[] shape = values.shape();
        if (shape.length == rank - 1) {
            int[] withBatch = new int[rank];
            withBatch[0] = 1;
            System.arraycopy(shape, 0, withBatch, 1, shape.length);
            return p.constant(values.reshape(withBatch));
        }
        if (shape.length == rank) {
            return shape[0] == 1 ? p.constant(values) : p.sliceLike(p.constant(values), x, 0);
        }
        throw new ModelLoadException("zbox bound " + spec + " has shape " + Arrays.toString(shape)
                + ", expected a scalar, the shape of one input row (rank " + (rank - 1)
                + ") or one row per batch element (rank " + rank + ")");
    }
}
