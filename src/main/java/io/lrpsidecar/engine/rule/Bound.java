package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
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
     * The bound expanded to the input's shape, following zennit: scalars broadcast; a tensor of the shape of one row
     * ({@code input.shape[1:]}) or with a leading axis of 1 broadcasts over the batch; a larger leading axis is cut.
     */
    public Tensor expandTo(int[] inputShape) {
        int size = Shapes.size(inputShape);
        double[] source = values.asDoubles();
        double[] out = new double[size];
        if (source.length == 1) {
            Arrays.fill(out, source[0]);
            return Tensor.of(inputShape, out);
        }
        int rowSize = inputShape.length == 0 ? 1 : size / Math.max(1, inputShape[0]);
        int[] rowShape = Arrays.copyOfRange(inputShape, 1, inputShape.length);
        int[] shape = values.shape();
        boolean perRow = Arrays.equals(shape, rowShape)
                || (shape.length == inputShape.length && shape[0] == 1 && Arrays.equals(
                        Arrays.copyOfRange(shape, 1, shape.length), rowShape));
        boolean perBatch = shape.length == inputShape.length && shape[0] >= inputShape[0]
                && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), rowShape);
        if (perRow) {
            for (int i = 0; i < size; i++) {
                out[i] = source[i % rowSize];
            }
        } else if (perBatch) {
            System.arraycopy(source, 0, out, 0, size);
        } else {
            throw new ModelLoadException("zbox bound " + spec + " has shape " + Arrays.toString(shape)
                    + ", expected a scalar or the shape of one input row " + Arrays.toString(rowShape));
        }
        return Tensor.of(inputShape, out);
    }
}
