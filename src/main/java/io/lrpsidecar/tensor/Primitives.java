package io.lrpsidecar.tensor;

import io.lrpsidecar.graph.Tensor;
import java.util.List;

/**
 * What rules and operators are written in. {@code T} is one engine's tensor handle; rules never see its data.
 * Elementwise primitives broadcast as ONNX (numpy) does. No primitive takes a batch size: where a result must have an
 * input's shape, the primitive takes that input ({@code like}, {@code input}), so code written with them works the
 * same at any batch size in the reference and with a dynamic batch in a compiled graph.
 *
 * @param <T> the tensor handle of one engine
 */
public interface Primitives<T> {
    /** A known value. */
    T constant(Tensor value);

    /** A scalar, broadcast against anything. */
    T scalar(double value);

    T zerosLike(T x);

    T onesLike(T x);

    int rank(T x);

    T add(T a, T b);

    T sub(T a, T b);

    T mul(T a, T b);

    T div(T a, T b);

    T unary(Unary function, T x);

    /** A mask: 1 where {@code a OP b} holds, 0 elsewhere. */
    T compare(Comparison comparison, T a, T b);

    /** {@code ifTrue} where the mask is non-zero, {@code ifFalse} elsewhere. */
    T where(T condition, T ifTrue, T ifFalse);

    /** Matrix product over the last two axes, broadcast over the leading ones. */
    T matMul(T a, T b);

    /** {@code x W^T + b} on the last axis, {@code W} of shape {@code [out, in]}; {@code bias} may be null. */
    T linear(T x, T w, T bias);

    /** Convolution {@code [N, C, spatial...]} with weight {@code [M, C / groups, kernel...]}; bias may be null. */
    T conv(T x, T w, T bias, Window window);

    /** {@code J_x^T s} of {@link #conv}: the transposed convolution, shaped like {@code input}. */
    T convTransposed(T s, T w, Window window, T input);

    T averagePool(T x, Window window);

    /** {@code J_x^T s} of {@link #averagePool}, shaped like {@code input}. */
    T averagePoolTransposed(T s, Window window, T input);

    T maxPool(T x, Window window);

    /** Routes {@code s} to the first maximal element of each window of {@code x} ({@code y = maxPool(x)}). */
    T maxPoolRoute(T s, T x, T y, Window window);

    T reduceSum(T x, int[] axes, boolean keepDims);

    T reduceMean(T x, int[] axes, boolean keepDims);

    /** Broadcasts {@code x} to the shape of {@code like}: the adjoint of {@link #reduceSum} with kept axes. */
    T expandLike(T x, T like);

    /**
     * Sums {@code x} down to the shape of {@code like}, which it broadcasts from: over the leading axes {@code like}
     * lacks and over its axes of size 1 (the adjoint of broadcasting {@code like} to {@code x}).
     */
    T reduceSumLike(T x, T like);

    T softmax(T x, int axis);

    /** The log-softmax along {@code axis}, computed stably (finite wherever {@code x} is). */
    T logSoftmax(T x, int axis);

    /** Reshape to an ONNX target shape ({@code 0} keeps an axis, {@code -1} is inferred). */
    T reshape(T x, long[] onnxTarget);

    /** Reshape to the shape of {@code like}. */
    T reshapeLike(T x, T like);

    T transpose(T x, int[] permutation);

    /** Pads with zeros, {@code [begin_0, ..., end_0, ...]}; negative pads crop. Its adjoint is the negated pads. */
    T pad(T x, long[] pads);

    T concat(List<T> parts, int axis);

    /**
     * The first entries of {@code x} along {@code axis}, as many as {@code like} has on that axis (for example,
     * per-batch-element values cut to the batch at hand).
     */
    T sliceLike(T x, T like, int axis);

    /** ONNX Gather: the entries of {@code data} along {@code axis} at the integer {@code indices} (negative wrap). */
    T gather(T data, T indices, int axis);

    /** {@code J_data^T s} of {@link #gather}: {@code s} added into zeros shaped like {@code data} at the indices. */
    T gatherTransposed(T s, T indices, int axis, T data);

    /** The values converted to another element type ({@code BOOL}: non-zero is true). */
    T cast(T x, io.lrpsidecar.graph.ElementType type);

    /** Splits along an axis into parts of the given sizes: the adjoint of {@link #concat}. */
    List<T> split(T x, int axis, long[] sizes);
}
