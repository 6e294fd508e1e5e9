package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Sums over axes and the softmax. */
final class Reductions {
    private Reductions() {
    }

    /** Sums over the given axes (negative ones count from the end), accumulating in C order. */
    static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int axis : axes) {
            reduced[Shapes.axis(axis, rank)] = true;
        }
        int[] kept = x.shape().clone();
        List<Integer> dropped = new ArrayList<>();
        for (int axis = 0; axis < rank; axis++) {
            if (reduced[axis]) {
                kept[axis] = 1;
            } else {
                dropped.add(x.dim(axis));
            }
        }
        int[] keptStrides = Shapes.strides(kept);
        int[] strides = Shapes.strides(x.shape());
        double[] in = x.asDoubles();
        double[] out = new double[Shapes.size(kept)];
        for (int i = 0; i < in.length; i++) {
            int target = 0;
            for (int axis = 0; axis < rank; axis++) {
                if (!reduced[axis]) {
                    target += ((i / strides[axis]) % x.dim(axis)) * keptStrides[axis];
                }
            }
            out[target] += in[i];
        }
        int[] shape = keepDims ? kept : dropped.stream().mapToInt(Integer::intValue).toArray();
        return Tensor.of(shape, out);
    }

    /** The softmax along {@code axis}, shifted by the maximum for range. */
    static Tensor softmax(Tensor x, int axis) {
        return softmax(x, axis, false);
    }

    /**
     * The log-softmax along {@code axis}, {@code x − max − log Σ exp(x − max)}: finite wherever {@code x} is, even where
     * the softmax itself underflows to 0.
     */
    static Tensor logSoftmax(Tensor x, int axis) {
        return softmax(x, axis, true);
    }

    private static Tensor softmax(Tensor x, int axis, boolean logarithmic) {
        int inner = 1;
        for (int i = axis + 1; i < x.rank(); i++) {
            inner *= x.dim(i);
        }
        int length = x.dim(axis);
        int outer = x.size() / Math.max(1, inner * length);
        double[] in = x.asDoubles();
        double[] out = new double[in.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < length; k++) {
                    max = Math.max(max, in[(o * length + k) * inner + i]);
                }
                double sum = 0;
                for (int k = 0; k < length; k++) {
                    sum += Math.exp(in[(o * length + k) * inner + i] - max);
                }
                for (int k = 0; k < length; k++) {
                    int index = (o * length + k) * inner + i;
                    double shifted = in[index] - max;
                    out[index] = logarithmic ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                }
            }
        }
        return Tensor.of(x.shape(), out);
    }
}
