package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ops that move values without arithmetic: reshape targets, transpose, concat and split, zero padding. */
final class Movement {
    private Movement() {
    }

    /** An ONNX reshape target resolved against an input shape: {@code 0} copies the axis, one {@code -1} is inferred. */
    static int[] reshaped(int[] input, long[] target) {
        int[] shape = new int[target.length];
        int inferred = -1;
        int known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1 && inferred < 0) {
                inferred = i;
                continue;
            }
            shape[i] = target[i] == 0 ? input[i] : (int) target[i];
            known *= shape[i];
        }
        int size = Shapes.size(input);
        if (inferred >= 0) {
            shape[inferred] = known == 0 ? 0 : size / known;
        }
        if (Shapes.size(shape) != size || Arrays.stream(shape).anyMatch(extent -> extent < 0)) {
            throw new IllegalArgumentException("cannot reshape " + Shapes.format(input) + " (" + size
                    + " elements) to " + Arrays.toString(target));
        }
        return shape;
    }

    static Tensor transpose(Tensor x, int[] permutation) {
        int[] outShape = new int[permutation.length];
        for (int axis = 0; axis < permutation.length; axis++) {
            outShape[axis] = x.dim(permutation[axis]);
        }
        int[] inStrides = Shapes.strides(x.shape());
        int[] outStrides = Shapes.strides(outShape);
        double[] in = x.asDoubles();
        double[] out = new double[in.length];
        for (int i = 0; i < out.length; i++) {
            int source = 0;
            for (int axis = 0; axis < outShape.length; axis++) {
                source += ((i / outStrides[axis]) % outShape[axis]) * inStrides[permutation[axis]];
            }
            out[i] = in[source];
        }
        return Tensor.of(outShape, out);
    }

    static Tensor concat(List<Tensor> parts, int axisValue) {
        int[] outShape = parts.get(0).shape().clone();
        int axis = Shapes.axis(axisValue, outShape.length);
        outShape[axis] = parts.stream().mapToInt(part -> part.dim(axis)).sum();
        for (Tensor part : parts) {
            int[] expected = outShape.clone();
            expected[axis] = part.dim(axis);
            if (!Arrays.equals(expected, part.shape())) {
                throw new IllegalArgumentException("concat along axis " + axis + ": part of shape "
                        + Shapes.format(part.shape()) + " does not match " + Shapes.format(parts.get(0).shape()));
            }
        }
        int outer = outer(outShape, axis);
        int inner = inner(outShape, axis);
        double[] out = new double[Shapes.size(outShape)];
        int offset = 0;
        for (Tensor part : parts) {
            int extent = part.dim(axis);
            double[] in = part.asDoubles();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in, o * extent * inner, out, (o * outShape[axis] + offset) * inner, extent * inner);
            }
            offset += extent;
        }
        return Tensor.of(outShape, out);
    }

    static List<Tensor> split(Tensor x, int axis, long[] sizes) {
        int[] shape = x.shape();
        if (Arrays.stream(sizes).sum() != shape[axis]) {
            throw new IllegalArgumentException("split of axis " + axis + " of " + Shapes.format(shape)
                    + " into " + Arrays.toString(sizes) + ": the sizes must add up to " + shape[axis]);
        }
        int outer = outer(shape, axis);
        int inner = inner(shape, axis);
        double[] in = x.asDoubles();
        List<Tensor> parts = new ArrayList<>();
        int offset = 0;
        for (long size : sizes) {
            int extent = (int) size;
            int[] partShape = shape.clone();
            partShape[axis] = extent;
            double[] part = new double[Shapes.size(partShape)];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in, (o * shape[axis] + offset) * inner, part, o * extent * inner, extent * inner);
            }
            parts.add(Tensor.of(partShape, part));
            offset += extent;
        }
        return parts;
    }

    /** Zero padding {@code [begin..., end...]}; negative pads crop. */
    static Tensor pad(Tensor x, long[] pads) {
        int[] inShape = x.shape();
        int rank = inShape.length;
        if (pads.length != 2 * rank) {
            throw new IllegalArgumentException("pad of a rank-" + rank + " tensor expects " + 2 * rank
                    + " pads, found " + Arrays.toString(pads));
        }
        int[] outShape = new int[rank];
        for (int axis = 0; axis < rank; axis++) {
            outShape[axis] = (int) (inShape[axis] + pads[axis] + pads[axis + rank]);
        }
        int[] inStrides = Shapes.strides(inShape);
        int[] outStrides = Shapes.strides(outShape);
        double[] in = x.asDoubles();
        double[] out = new double[Shapes.size(outShape)];
        outer:
        for (int i = 0; i < in.length; i++) {
            int outIndex = 0;
            for (int axis = 0; axis < rank; axis++) {
                int coordinate = (i / inStrides[axis]) % inShape[axis] + (int) pads[axis];
                if (coordinate < 0 || coordinate >= outShape[axis]) {
                    continue outer;
                }
                outIndex += coordinate * outStrides[axis];
            }
            out[outIndex] = in[i];
        }
        return Tensor.of(outShape, out);
    }

    /** ONNX Gather: {@code out[o, j..., i] = data[o, indices[j...], i]} with negative indices wrapping. */
    static Tensor gather(Tensor data, Tensor indices, int axis) {
        int[] shape = data.shape();
        int outer = outer(shape, axis);
        int inner = inner(shape, axis);
        int extent = shape[axis];
        long[] index = indices.asLongs();
        int[] outShape = gatheredShape(shape, indices.shape(), axis);
        double[] in = data.asDoubles();
        double[] out = new double[outer * index.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < index.length; j++) {
                int source = wrapped(index[j], extent);
                System.arraycopy(in, (o * extent + source) * inner, out, (o * index.length + j) * inner, inner);
            }
        }
        return Tensor.of(outShape, out);
    }

    /** The adjoint of {@link #gather}: each slice of {@code s} added at its index into zeros of {@code shape}. */
    static Tensor scatterAdd(Tensor s, Tensor indices, int axis, int[] shape) {
        int outer = outer(shape, axis);
        int inner = inner(shape, axis);
        int extent = shape[axis];
        long[] index = indices.asLongs();
        double[] in = s.asDoubles();
        double[] out = new double[Shapes.size(shape)];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < index.length; j++) {
                int target = (o * extent + wrapped(index[j], extent)) * inner;
                int source = (o * index.length + j) * inner;
                for (int k = 0; k < inner; k++) {
                    out[target + k] += in[source + k];
                }
            }
        }
        return Tensor.of(shape, out);
    }

    private static int[] gatheredShape(int[] shape, int[] indexShape, int axis) {
        int[] out = new int[shape.length - 1 + indexShape.length];
        System.arraycopy(shape, 0, out, 0, axis);
        System.arraycopy(indexShape, 0, out, axis, indexShape.length);
        System.arraycopy(shape, axis + 1, out, axis + indexShape.length, shape.length - axis - 1);
        return out;
    }

    private static int wrapped(long index, int extent) {
        long value = index < 0 ? index + extent : index;
        if (value < 0 || value >= extent) {
            throw new IllegalArgumentException("gather index " + index + " is outside [" + -extent + ", " + extent
                    + ")");
        }
        return (int) value;
    }

    private static int outer(int[] shape, int axis) {
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        return outer;
    }

    private static int inner(int[] shape, int axis) {
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        return inner;
    }
}
