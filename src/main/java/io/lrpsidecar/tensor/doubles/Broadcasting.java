package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Elementwise functions with NumPy broadcasting. */
final class Broadcasting {
    private Broadcasting() {
    }

    static Tensor map(Tensor x, DoubleUnaryOperator function) {
        double[] in = x.asDoubles();
        double[] out = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = function.applyAsDouble(in[i]);
        }
        return Tensor.of(x.shape(), out);
    }

    static Tensor zip(Tensor a, Tensor b, DoubleBinaryOperator function) {
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        double[] left = broadcastTo(a, shape);
        double[] right = broadcastTo(b, shape);
        double[] out = new double[left.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = function.applyAsDouble(left[i], right[i]);
        }
        return Tensor.of(shape, out);
    }

    static Tensor where(Tensor condition, Tensor ifTrue, Tensor ifFalse) {
        int[] shape = Shapes.broadcast(Shapes.broadcast(condition.shape(), ifTrue.shape()), ifFalse.shape());
        double[] mask = broadcastTo(condition, shape);
        double[] yes = broadcastTo(ifTrue, shape);
        double[] no = broadcastTo(ifFalse, shape);
        double[] out = new double[mask.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = mask[i] != 0 ? yes[i] : no[i];
        }
        return Tensor.of(shape, out);
    }

    /** The values of {@code tensor} broadcast to {@code shape}, materialised. */
    static double[] broadcastTo(Tensor tensor, int[] shape) {
        double[] source = tensor.asDoubles();
        if (Arrays.equals(tensor.shape(), shape)) {
            return source;
        }
        if (!Arrays.equals(Shapes.broadcast(tensor.shape(), shape), shape)) {
            throw new IllegalArgumentException("cannot broadcast shape " + Shapes.format(tensor.shape()) + " to "
                    + Shapes.format(shape));
        }
        int[] sourceStrides = alignedStrides(tensor.shape(), shape.length);
        double[] out = new double[Shapes.size(shape)];
        int[] outStrides = Shapes.strides(shape);
        for (int i = 0; i < out.length; i++) {
            out[i] = source[sourceIndex(i, shape, outStrides, sourceStrides)];
        }
        return out;
    }

    /** Strides of a shape right-aligned to a rank, zero along broadcast (size-1 or missing) axes. */
    static int[] alignedStrides(int[] shape, int rank) {
        int[] own = Shapes.strides(shape);
        int[] aligned = new int[rank];
        int offset = rank - shape.length;
        for (int axis = 0; axis < shape.length; axis++) {
            aligned[axis + offset] = shape[axis] == 1 ? 0 : own[axis];
        }
        return aligned;
    }

    static int sourceIndex(int flat, int[] shape, int[] strides, int[] sourceStrides) {
        int index = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            int coordinate = (flat / strides[axis]) % shape[axis];
            index += coordinate * sourceStrides[axis];
        }
        return index;
    }
}
