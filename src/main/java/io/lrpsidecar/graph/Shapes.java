package io.lrpsidecar.graph;

import java.util.Arrays;

/** Small helpers on shapes given as {@code int[]} in C (row-major) order. */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements of a tensor of this shape (1 for a scalar). */
    public static int size(int[] shape) {
        long size = elementCount(shape);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        }
        return (int) size;
    }

    /**
     * Number of elements of a tensor of this shape as a {@code long}: shapes that are only reasoned about, never
     * allocated (such as those inferred with a large sentinel batch size), may hold more than {@code int} counts.
     */
    public static long elementCount(int[] shape) {
        long size = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size *= dim;
        }
        return size;
    }

    /** Row-major strides of a shape. */
    public static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= shape[axis];
        }
        return strides;
    }

    /** Normalises a possibly negative axis against a rank, as ONNX does. */
    public static int axis(long axis, int rank) {
        long normalised = axis < 0 ? axis + rank : axis;
        if (normalised < 0 || normalised >= rank) {
            throw new ModelLoadException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) normalised;
    }

    /** NumPy broadcasting of two shapes, or throws naming both. */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ModelLoadException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }
}
