package io.lrpsidecar.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Output shapes of the shape-changing operators, following the ONNX operator specification. Shared by shape
 * inference and by the kernels that move the data.
 */
public final class ShapeFunctions {
    private ShapeFunctions() {
    }

    /** Reshape: {@code 0} copies the input dimension (unless {@code allowzero}), one {@code -1} is inferred. */
    public static int[] reshape(Node node, int[] input, long[] target) {
        boolean allowZero = node.attributes().getInt("allowzero", 0) != 0;
        int[] shape = new int[target.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (inferred >= 0) {
                    throw new ModelLoadException("node " + node.describe() + ": reshape target "
                            + Arrays.toString(target) + " has more than one -1");
                }
                inferred = i;
                continue;
            }
            shape[i] = target[i] == 0 && !allowZero ? input[i] : (int) target[i];
            known *= shape[i];
        }
        long size = Shapes.elementCount(input);
        if (inferred >= 0) {
            if (known == 0 || size % known != 0) {
                throw new ModelLoadException("node " + node.describe() + ": cannot reshape " + Arrays.toString(input)
                        + " to " + Arrays.toString(target));
            }
            shape[inferred] = (int) (size / known);
        }
        if (Shapes.elementCount(shape) != size) {
            throw new ModelLoadException("node " + node.describe() + ": reshape of " + Arrays.toString(input)
                    + " (" + size + " elements) to " + Arrays.toString(shape) + " changes the element count");
        }
        return shape;
    }

    /** Flatten to 2-D around {@code axis}. */
    public static int[] flatten(Node node, int[] input) {
        int axis = (int) node.attributes().getInt("axis", 1);
        if (axis < 0) {
            axis += input.length;
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= input[i];
        }
        return new int[] {Math.toIntExact(outer), Math.toIntExact(Shapes.elementCount(input) / Math.max(outer, 1))};
    }

    /** Squeeze the given axes, or every axis of size 1 when none are given. */
    public static int[] squeeze(Node node, int[] input, long[] axes) {
        List<Integer> shape = new ArrayList<>();
        boolean[] drop = new boolean[input.length];
        if (axes == null) {
            for (int i = 0; i < input.length; i++) {
                drop[i] = input[i] == 1;
            }
        } else {
            for (long axis : axes) {
                int normalised = Shapes.axis(axis, input.length);
                if (input[normalised] != 1) {
                    throw new ModelLoadException("node " + node.describe() + ": cannot squeeze axis " + axis
                            + " of size " + input[normalised]);
                }
                drop[normalised] = true;
            }
        }
        for (int i = 0; i < input.length; i++) {
            if (!drop[i]) {
                shape.add(input[i]);
            }
        }
        return shape.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Unsqueeze: insert size-1 axes at the given positions of the output. */
    public static int[] unsqueeze(int[] input, long[] axes) {
        int rank = input.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long axis : axes) {
            inserted[Shapes.axis(axis, rank)] = true;
        }
        int[] shape = new int[rank];
        int source = 0;
        for (int i = 0; i < rank; i++) {
            shape[i] = inserted[i] ? 1 : input[source++];
        }
        return shape;
    }

    /** The permutation of a Transpose (reversed axes by default). */
    public static int[] permutation(Node node, int rank) {
        long[] perm = node.attributes().getInts("perm").orElse(null);
        int[] result = new int[rank];
        for (int i = 0; i < rank; i++) {
            result[i] = perm == null ? rank - 1 - i : (int) perm[i];
        }
        return result;
    }

    public static int[] transpose(int[] input, int[] permutation) {
        int[] shape = new int[input.length];
        for (int i = 0; i < input.length; i++) {
            shape[i] = input[permutation[i]];
        }
        return shape;
    }

    /** Concat along an axis; all other dimensions must agree. */
    public static int[] concat(Node node, List<int[]> inputs) {
        int rank = inputs.get(0).length;
        int axis = Shapes.axis(node.attributes().getInt("axis", 0), rank);
        int[] shape = inputs.get(0).clone();
        shape[axis] = 0;
        for (int[] input : inputs) {
            for (int i = 0; i < rank; i++) {
                if (i != axis && input[i] != shape[i]) {
                    throw new ModelLoadException("node " + node.describe() + ": concat inputs "
                            + inputs.stream().map(Arrays::toString).toList() + " differ outside axis " + axis);
                }
            }
            shape[axis] += input[axis];
        }
        return shape;
    }

    /**
     * The begin/end pads of every axis of a Pad node as {@code [b0, b1, ..., e0, e1, ...]}, from the {@code pads}
     * input (opset 11+) or attribute, restricted to {@code axes} when given.
     */
    public static long[] pads(Node node, int rank, long[] padsValues, long[] axes) {
        long[] full = new long[2 * rank];
        if (axes == null) {
            if (padsValues.length != 2 * rank) {
                throw new ModelLoadException("node " + node.describe() + " has " + padsValues.length
                        + " pads, expected " + 2 * rank);
            }
            return padsValues.clone();
        }
        for (int i = 0; i < axes.length; i++) {
            int axis = Shapes.axis(axes[i], rank);
            full[axis] = padsValues[i];
            full[axis + rank] = padsValues[i + axes.length];
        }
        return full;
    }

    public static int[] pad(int[] input, long[] pads) {
        int[] shape = input.clone();
        for (int i = 0; i < input.length; i++) {
            shape[i] += (int) (pads[i] + pads[i + input.length]);
        }
        return shape;
    }

    /**
     * The indices ONNX {@code Slice} selects on an axis of size {@code dim}: negative starts and ends count from the
     * end, both are clamped to the axis (to {@code [0, dim]} for positive steps, {@code [-1, dim - 1]} for negative).
     */
    public static int[] sliceIndices(int dim, long start, long end, long step) {
        if (step == 0) {
            throw new ModelLoadException("a Slice step of 0 is invalid");
        }
        long first = start < 0 ? start + dim : start;
        long last = end < 0 ? end + dim : end;
        if (step > 0) {
            first = Math.max(0, Math.min(dim, first));
            last = Math.max(0, Math.min(dim, last));
        } else {
            first = Math.max(-1, Math.min(dim - 1, first));
            last = Math.max(-1, Math.min(dim - 1, last));
        }
        List<Integer> indices = new ArrayList<>();
        for (long i = first; step > 0 ? i < last : i > last; i += step) {
            indices.add((int) i);
        }
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }
}
