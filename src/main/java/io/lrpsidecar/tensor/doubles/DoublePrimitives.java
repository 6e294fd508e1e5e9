package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import io.lrpsidecar.tensor.Window;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The primitives in double precision on {@link Tensor}s: the vocabulary of the reference engine. The loops live in
 * the package's helper classes, one per family (broadcasting, reductions, contractions, windows, movement).
 */
public final class DoublePrimitives implements Primitives<Tensor> {
    /** The primitives hold no state; this is the one instance. */
    public static final DoublePrimitives INSTANCE = new DoublePrimitives();

    private DoublePrimitives() {
    }

    @Override
    public Tensor constant(Tensor value) {
        return value;
    }

    @Override
    public Tensor scalar(double value) {
        return Tensor.scalar(value);
    }

    @Override
    public Tensor zerosLike(Tensor x) {
        return Tensor.zeros(x.shape());
    }

    @Override
    public Tensor onesLike(Tensor x) {
        return Tensor.filled(x.shape(), 1.0);
    }

    @Override
    public int rank(Tensor x) {
        return x.rank();
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return Broadcasting.zip(a, b, Double::sum);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return Broadcasting.zip(a, b, (left, right) -> left - right);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return Broadcasting.zip(a, b, (left, right) -> left * right);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return Broadcasting.zip(a, b, (left, right) -> left / right);
    }

    @Override
    public Tensor unary(Unary function, Tensor x) {
        return Broadcasting.map(x, elementwise(function));
    }

    private static DoubleUnaryOperator elementwise(Unary function) {
        return switch (function) {
            case NEG -> value -> -value;
            case POSITIVE -> value -> Math.max(value, 0);
            case NEGATIVE -> value -> Math.min(value, 0);
            case ABS -> Math::abs;
            case SQUARE -> value -> value * value;
            case SQRT -> Math::sqrt;
            case RECIPROCAL -> value -> 1 / value;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case ERF -> Erf::erf;
            case TANH -> Math::tanh;
            case SIGMOID -> value -> 1 / (1 + Math.exp(-value));
        };
    }

    @Override
    public Tensor compare(Comparison comparison, Tensor a, Tensor b) {
        return Broadcasting.zip(a, b, switch (comparison) {
            case GT -> (left, right) -> left > right ? 1 : 0;
            case GE -> (left, right) -> left >= right ? 1 : 0;
            case LT -> (left, right) -> left < right ? 1 : 0;
            case LE -> (left, right) -> left <= right ? 1 : 0;
            case EQ -> (left, right) -> left == right ? 1 : 0;
        });
    }

    @Override
    public Tensor where(Tensor condition, Tensor ifTrue, Tensor ifFalse) {
        return Broadcasting.where(condition, ifTrue, ifFalse);
    }

    @Override
    public Tensor matMul(Tensor a, Tensor b) {
        return Contractions.matMul(a, b);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return Contractions.linear(x, w, bias);
    }

    @Override
    public Tensor conv(Tensor x, Tensor w, Tensor bias, Window window) {
        return Convolution.forward(x, w, bias, window);
    }

    @Override
    public Tensor convTransposed(Tensor s, Tensor w, Window window, Tensor input) {
        return Convolution.transposed(s, w, window, input);
    }

    @Override
    public Tensor averagePool(Tensor x, Window window) {
        return Pooling.average(x, window);
    }

    @Override
    public Tensor averagePoolTransposed(Tensor s, Window window, Tensor input) {
        return Pooling.averageTransposed(s, window, input);
    }

    @Override
    public Tensor maxPool(Tensor x, Window window) {
        return Pooling.max(x, window);
    }

    @Override
    public Tensor maxPoolRoute(Tensor s, Tensor x, Tensor y, Window window) {
        return Pooling.maxRoute(s, x, window);
    }

    @Override
    public Tensor reduceSum(Tensor x, int[] axes, boolean keepDims) {
        return Reductions.sum(x, axes, keepDims);
    }

    @Override
    public Tensor reduceMean(Tensor x, int[] axes, boolean keepDims) {
        Tensor sum = Reductions.sum(x, axes, keepDims);
        return div(sum, scalar((double) x.size() / Math.max(1, sum.size())));
    }

    @Override
    public Tensor expandLike(Tensor x, Tensor like) {
        return Tensor.of(like.shape(), Broadcasting.broadcastTo(x, like.shape()));
    }

    @Override
    public Tensor reduceSumLike(Tensor x, Tensor like) {
        int[] shape = x.shape();
        int[] target = like.shape();
        if (java.util.Arrays.equals(shape, target)) {
            return x;
        }
        int offset = shape.length - target.length;
        java.util.List<Integer> axes = new java.util.ArrayList<>();
        for (int axis = 0; axis < shape.length; axis++) {
            if (axis < offset || (target[axis - offset] == 1 && shape[axis] != 1)) {
                axes.add(axis);
            }
        }
        Tensor summed = reduceSum(x, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return reshapeLike(summed, like);
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return Reductions.softmax(x, Shapes.axis(axis, x.rank()));
    }

    @Override
    public Tensor logSoftmax(Tensor x, int axis) {
        return Reductions.logSoftmax(x, Shapes.axis(axis, x.rank()));
    }

    @Override
    public Tensor reshape(Tensor x, long[] onnxTarget) {
        return x.withValues(x.asDoubles()).reshape(Movement.reshaped(x.shape(), onnxTarget));
    }

    @Override
    public Tensor reshapeLike(Tensor x, Tensor like) {
        return x.withValues(x.asDoubles()).reshape(like.shape());
    }

    @Override
    public Tensor transpose(Tensor x, int[] permutation) {
        return Movement.transpose(x, permutation);
    }

    @Override
    public Tensor sliceLike(Tensor x, Tensor like, int axis) {
        if (x.dim(axis) < like.dim(axis)) {
            throw new IllegalArgumentException("cannot cut axis " + axis + " of " + java.util.Arrays.toString(x.shape())
                    + " to " + like.dim(axis) + " entries: it has only " + x.dim(axis));
        }
        long[] pads = new long[2 * x.rank()];
        pads[x.rank() + axis] = like.dim(axis) - x.dim(axis);
        return Movement.pad(x, pads);
    }

    @Override
    public Tensor gather(Tensor data, Tensor indices, int axis) {
        return Movement.gather(data, indices, axis);
    }

    @Override
    public Tensor gatherTransposed(Tensor s, Tensor indices, int axis, Tensor data) {
        return Movement.scatterAdd(s, indices, axis, data.shape());
    }

    @Override
    public Tensor cast(Tensor x, io.lrpsidecar.graph.ElementType type) {
        if (type.isFloatingPoint()) {
            return new Tensor(type, x.shape(), x.asDoubles().clone(), null);
        }
        if (type == io.lrpsidecar.graph.ElementType.BOOL) {
            double[] values = x.asDoubles();
            double[] truth = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                truth[i] = values[i] != 0 ? 1 : 0;
            }
            return Tensor.of(x.shape(), truth);
        }
        double[] values = x.asDoubles();
        long[] integral = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            integral[i] = (long) values[i];
        }
        return new Tensor(type, x.shape(), null, integral);
    }

    @Override
    public Tensor pad(Tensor x, long[] pads) {
        return Movement.pad(x, pads);
    }

    @Override
    public Tensor concat(List<Tensor> parts, int axis) {
        return Movement.concat(parts, axis);
    }

    @Override
    public List<Tensor> split(Tensor x, int axis, long[] sizes) {
        return Movement.split(x, Shapes.axis(axis, x.rank()), sizes);
    }
}
