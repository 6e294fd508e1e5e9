package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Elementwise arithmetic on equally shaped double tensors, the vocabulary the LRP rules are written in. */
public final class TensorMath {
    private TensorMath() {
    }

    public static Tensor map(Tensor tensor, DoubleUnaryOperator function) {
        double[] in = tensor.asDoubles();
        double[] out = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = function.applyAsDouble(in[i]);
        }
        return Tensor.of(tensor.shape(), out);
    }

    public static Tensor zip(Tensor left, Tensor right, DoubleBinaryOperator function) {
        if (!Arrays.equals(left.shape(), right.shape())) {
            throw new IllegalArgumentException("elementwise operation on shapes " + Shapes.format(left.shape())
                    + " and " + Shapes.format(right.shape()));
        }
        double[] a = left.asDoubles();
        double[] b = right.asDoubles();
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = function.applyAsDouble(a[i], b[i]);
        }
        return Tensor.of(left.shape(), out);
    }

    /** {@code x+ = max(x, 0)}. */
    public static Tensor positive(Tensor tensor) {
        return map(tensor, value -> Math.max(value, 0));
    }

    /** {@code x- = min(x, 0)}. */
    public static Tensor negative(Tensor tensor) {
        return map(tensor, value -> Math.min(value, 0));
    }

    public static Tensor add(Tensor left, Tensor right) {
        return zip(left, right, Double::sum);
    }

    public static Tensor subtract(Tensor left, Tensor right) {
        return zip(left, right, (a, b) -> a - b);
    }

    public static Tensor multiply(Tensor left, Tensor right) {
        return zip(left, right, (a, b) -> a * b);
    }

    public static Tensor divide(Tensor left, Tensor right) {
        return zip(left, right, (a, b) -> a / b);
    }

    public static Tensor scale(Tensor tensor, double factor) {
        return map(tensor, value -> value * factor);
    }

    public static Tensor square(Tensor tensor) {
        return map(tensor, value -> value * value);
    }

    public static Tensor onesLike(Tensor tensor) {
        return Tensor.filled(tensor.shape(), 1.0);
    }

    public static Tensor zerosLike(Tensor tensor) {
        return Tensor.zeros(tensor.shape());
    }

    /**
     * zennit's stabilizer {@code z + eps * sign0(z)} with {@code sign0(0) = +1}: the magnitude grows by eps and the
     * sign is kept; an exact zero becomes {@code +eps}.
     */
    public static Tensor stabilize(Tensor tensor, double epsilon) {
        return map(tensor, value -> value + (value >= 0 ? epsilon : -epsilon));
    }

    /** {@code R / stabilize(z, eps)}. */
    public static Tensor stabilizedRatio(Tensor relevance, Tensor denominator, double epsilon) {
        return divide(relevance, stabilize(denominator, epsilon));
    }

    /** Sums of each row (slices along axis 0). */
    public static double[] rowSums(Tensor tensor) {
        return rowSums(tensor, 0);
    }

    /** Sums over everything but {@code batchAxis}, one per batch element. */
    public static double[] rowSums(Tensor tensor, int batchAxis) {
        if (tensor.rank() == 0) {
            return new double[] {tensor.asDoubles()[0]};
        }
        int rows = tensor.dim(batchAxis);
        int inner = 1;
        for (int axis = batchAxis + 1; axis < tensor.rank(); axis++) {
            inner *= tensor.dim(axis);
        }
        double[] values = tensor.asDoubles();
        double[] sums = new double[rows];
        for (int i = 0; i < values.length; i++) {
            sums[(i / inner) % rows] += values[i];
        }
        return sums;
    }
}
