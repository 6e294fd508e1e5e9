package io.lrpsidecar.graph;

import java.util.Arrays;

/**
 * A dense tensor in C order. Floating-point tensors keep their values in {@code doubles} (float32 values are widened
 * exactly); integer and boolean tensors keep them in {@code longs}. Exactly one of the two arrays is non-null.
 * Instances are treated as immutable: no code writes into the arrays after construction.
 *
 * @param type    the ONNX element type the tensor had (or will have when written)
 * @param shape   the dimensions
 * @param doubles the values of a floating-point tensor, else {@code null}
 * @param longs   the values of an integer tensor, else {@code null}
 */
public record Tensor(ElementType type, int[] shape, double[] doubles, long[] longs) {

    public Tensor {
        int size = Shapes.size(shape);
        if ((doubles == null) == (longs == null)) {
            throw new IllegalArgumentException("a tensor holds either doubles or longs");
        }
        int length = doubles != null ? doubles.length : longs.length;
        if (length != size) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " values, found " + length);
        }
        if (type.isFloatingPoint() != (doubles != null)) {
            throw new IllegalArgumentException(type + " tensor with the wrong value array");
        }
    }

    /** A float32-typed tensor whose values are held in double precision. */
    public static Tensor of(int[] shape, double[] values) {
        return new Tensor(ElementType.FLOAT, shape.clone(), values, null);
    }

    public static Tensor ofLongs(int[] shape, long[] values) {
        return new Tensor(ElementType.INT64, shape.clone(), null, values);
    }

    public static Tensor scalar(double value) {
        return of(new int[0], new double[] {value});
    }

    public static Tensor zeros(int[] shape) {
        return of(shape, new double[Shapes.size(shape)]);
    }

    public static Tensor filled(int[] shape, double value) {
        double[] values = new double[Shapes.size(shape)];
        Arrays.fill(values, value);
        return of(shape, values);
    }

    public boolean isFloatingPoint() {
        return doubles != null;
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return Shapes.size(shape);
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** The values as doubles, converting integer tensors. */
    public double[] asDoubles() {
        if (doubles != null) {
            return doubles;
        }
        double[] converted = new double[longs.length];
        for (int i = 0; i < longs.length; i++) {
            converted[i] = longs[i];
        }
        return converted;
    }

    /** The values as longs; floating-point values must be integral. */
    public long[] asLongs() {
        if (longs != null) {
            return longs;
        }
        long[] converted = new long[doubles.length];
        for (int i = 0; i < doubles.length; i++) {
            converted[i] = (long) doubles[i];
        }
        return converted;
    }

    /** The same values under another shape with the same number of elements. */
    public Tensor reshape(int[] newShape) {
        if (Shapes.size(newShape) != size()) {
            throw new ModelLoadException("cannot reshape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(newShape));
        }
        return new Tensor(type, newShape.clone(), doubles, longs);
    }

    /** A floating-point tensor with these values and this tensor's shape. */
    public Tensor withValues(double[] values) {
        return new Tensor(type.isFloatingPoint() ? type : ElementType.FLOAT, shape, values, null);
    }

    public double sum() {
        double sum = 0;
        for (double value : asDoubles()) {
            sum += value;
        }
        return sum;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor that && type == that.type && Arrays.equals(shape, that.shape)
                && Arrays.equals(doubles, that.doubles) && Arrays.equals(longs, that.longs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(doubles) + Arrays.hashCode(longs);
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
