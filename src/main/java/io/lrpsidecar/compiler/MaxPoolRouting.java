package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.Arrays;
import java.util.Map;

/**
 * Winner-takes-all routing through a MaxPool: the gradient {@code g} of each window goes to the window's first
 * maximal element of {@code x} (taps in row-major order, PyTorch's and ONNX Runtime's tie rule); an element that
 * wins several overlapping windows receives their sum. Two ways, both without ScatterElements (which ONNX Runtime
 * runs on one thread):
 * <ul>
 *   <li><b>windows that tile the input</b> (kernel = stride, no pads, no dilation; VGG's 2x2 pools): SpaceToDepth
 *       gathers each window's taps on one axis and ArgMax, which returns the first of equal maxima, picks the tap;
 *       a lookup and the window origins turn it into a flat index of {@code x}. The pool's own {@code Indices} output
 *       is not used: ONNX Runtime computes it outside its fast pooling kernels, at several times this cost;</li>
 *   <li><b>other windows</b> (ResNet's 3x3/2 stem pool): the MaxPool's {@code Indices} output, whose ties ONNX Runtime
 *       breaks the same way.</li>
 * </ul>
 * MaxUnpool then writes each window's gradient at its index. It overwrites, so it is exact only where no two windows
 * share an element: windows {@code m} apart along an axis are disjoint once {@code m * stride} reaches the extent
 * {@code dilation (k - 1) + 1}. Output positions fall into {@code m_h * m_w} classes of mutually disjoint windows
 * (position modulo {@code m} per axis), unpooled one by one and summed; non-overlapping windows need one MaxUnpool.
 */
final class MaxPoolRouting {
    private final GraphBuilder b;
    private final WindowGeometry geometry;
    private final int[] inputShape;
    private final int spatialRank;
    private final String hint;

    private MaxPoolRouting(GraphBuilder b, WindowGeometry geometry, int[] inputShape, String hint) {
        this.b = b;
        this.geometry = geometry;
        this.inputShape = inputShape;
        this.spatialRank = inputShape.length - 2;
        this.hint = hint;
    }

    /** Whether windows of this geometry, on a value of rank {@code rank}, tile it ({@link #routeTiling}). */
    static boolean tiles(WindowGeometry geometry, int rank) {
        if (rank != 4 || geometry.kernel()[0] != geometry.kernel()[1]) {
            return false;
        }
        for (int axis = 0; axis < 2; axis++) {
            if (geometry.kernel()[axis] != geometry.strides()[axis] || geometry.dilations()[axis] != 1
                    || geometry.padsBegin()[axis] != 0 || geometry.outputSize()[axis] * geometry.kernel()[axis]
                            > geometry.inputSize()[axis]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The gradient of the pool input {@code x} (shape {@code inputShape}, {@code [N, C, H, W]}) for windows that
     * {@linkplain #tiles tile} it, given the gradient {@code g} of the pool output.
     */
    static String routeTiling(GraphBuilder b, WindowGeometry geometry, int[] inputShape, String x, String g,
            String hint) {
        MaxPoolRouting routing = new MaxPoolRouting(b, geometry, inputShape, hint);
        return routing.unpool(x, routing.tileWinnerIndices(x), g);
    }

    /**
     * The gradient of the pool input {@code x} (shape {@code inputShape}, {@code [N, C, L]} or {@code [N, C, H, W]})
     * given the pool's {@code Indices} output and the gradient {@code g} of the pool output.
     */
    static String routeByIndices(GraphBuilder b, WindowGeometry geometry, int[] inputShape, String x, String indices,
            String g, String hint) {
        return new MaxPoolRouting(b, geometry, inputShape, hint).unpool(x, indices, g);
    }

    private String unpool(String x, String indices, String g) {
        String shape = b.op("Shape", hint + "_shape", x);
        long[] classes = new long[spatialRank];
        for (int axis = 0; axis < spatialRank; axis++) {
            int lifted = lifted(axis);
            int extent = extent(lifted);
            classes[axis] = Math.min((extent + geometry.strides()[lifted] - 1) / geometry.strides()[lifted],
                    geometry.outputSize()[lifted]);
        }
        Attributes unpool = unpoolAttributes();
        if (Arrays.stream(classes).allMatch(count -> count == 1)) {
            return b.op("MaxUnpool", hint, unpool, g, indices, shape);
        }
        String axes = b.longs(hint + "_axes", spatialAxes());
        String ends = b.longs(hint + "_ends", filled(Long.MAX_VALUE));
        String steps = b.longs(hint + "_steps", classes);
        int total = (int) Arrays.stream(classes).reduce(1, (a, c) -> a * c);
        String[] parts = new String[total];
        for (int index = 0; index < total; index++) {
            long[] starts = new long[spatialRank];
            int rest = index;
            for (int axis = spatialRank - 1; axis >= 0; axis--) {
                starts[axis] = rest % classes[axis];
                rest /= (int) classes[axis];
            }
            String from = b.longs(hint + "_class_starts", starts);
            parts[index] = b.op("MaxUnpool", hint + "_class", unpool,
                    b.op("Slice", hint + "_class_g", g, from, ends, axes, steps),
                    b.op("Slice", hint + "_class_indices", indices, from, ends, axes, steps), shape);
        }
        return b.op("Sum", hint, parts);
    }

    /**
     * The winner indices of tiling windows: SpaceToDepth gathers each window's taps on one axis
     * ({@code [N, k*k, C, out...]}, taps in row-major order) and ArgMax, which returns the first of equal maxima,
     * picks the tap; a lookup turns the tap into its offset from the window origin. Two passes over {@code x}.
     */
    private String tileWinnerIndices(String x) {
        int k = geometry.kernel()[0];
        int outHeight = geometry.outputSize()[0];
        int outWidth = geometry.outputSize()[1];
        String source = x;
        if (outHeight * k != geometry.inputSize()[0] || outWidth * k != geometry.inputSize()[1]) {
            source = b.op("Slice", hint + "_covered", x, b.longs(hint + "_covered_starts", 0, 0),
                    b.longs(hint + "_covered_ends", (long) outHeight * k, (long) outWidth * k),
                    b.longs(hint + "_covered_axes", 2, 3));
        }
        String tiles = b.op("SpaceToDepth", hint + "_tiles", new Attributes(Map.of("blocksize", (long) k)), source);
        String taps = b.op("Reshape", hint + "_taps", tiles, b.longs(hint + "_taps_shape", 0, (long) k * k,
                inputShape[1], outHeight, outWidth));
        String first = b.op("ArgMax", hint + "_first_max", new Attributes(Map.of("axis", 1L, "keepdims", 0L,
                "select_last_index", 0L)), taps);
        long[] offsets = new long[k * k];
        for (int tap = 0; tap < offsets.length; tap++) {
            offsets[tap] = (long) (tap / k) * geometry.inputSize()[1] + tap % k;
        }
        String offset = b.op("Gather", hint + "_tap_offset", new Attributes(Map.of("axis", 0L)),
                b.longs(hint + "_tap_offsets", offsets), first);
        String origins = b.op("Add", hint + "_origins", offset, windowOrigins());
        return b.op("Add", hint + "_indices", origins, batchOrigins(x));
    }

    /**
     * {@code c * H * W + (oh * s - pad) * W + (ow * s - pad)} for every channel and window, shaped [1, C, Ho, Wo]: the
     * sum of three small constants, which ONNX Runtime folds when the session starts, so the graph file stays small.
     */
    private String windowOrigins() {
        int channels = inputShape[1];
        int outHeight = geometry.outputSize()[0];
        int outWidth = geometry.outputSize()[1];
        long width = geometry.inputSize()[1];
        long[] channelStarts = new long[channels];
        for (int c = 0; c < channels; c++) {
            channelStarts[c] = (long) c * geometry.inputSize()[0] * width;
        }
        long[] rowStarts = new long[outHeight];
        for (int oh = 0; oh < outHeight; oh++) {
            rowStarts[oh] = ((long) oh * geometry.strides()[0] - geometry.padsBegin()[0]) * width;
        }
        long[] columnStarts = new long[outWidth];
        for (int ow = 0; ow < outWidth; ow++) {
            columnStarts[ow] = (long) ow * geometry.strides()[1] - geometry.padsBegin()[1];
        }
        String channelAndRow = b.op("Add", hint + "_channel_rows",
                b.constant(hint + "_channel_starts", Tensor.ofLongs(new int[] {1, channels, 1, 1}, channelStarts)),
                b.constant(hint + "_row_starts", Tensor.ofLongs(new int[] {1, 1, outHeight, 1}, rowStarts)));
        return b.op("Add", hint + "_window_origins", channelAndRow,
                b.constant(hint + "_column_starts", Tensor.ofLongs(new int[] {1, 1, 1, outWidth}, columnStarts)));
    }

    /** {@code n * C * H * W} per row of the batch, shaped [N, 1, 1...]. */
    private String batchOrigins(String x) {
        String rows = b.op("Gather", hint + "_rows", new Attributes(Map.of("axis", 0L)),
                b.op("Shape", hint + "_batch_shape", x), b.constant(hint + "_zero_index",
                        Tensor.ofLongs(new int[0], new long[] {0})));
        long rowSize = (long) inputShape[1] * geometry.inputSize()[0] * geometry.inputSize()[1];
        String starts = b.op("Range", hint + "_row_starts", b.constant(hint + "_range_start",
                Tensor.ofLongs(new int[0], new long[] {0})), b.op("Mul", hint + "_row_end", rows,
                b.constant(hint + "_row_size", Tensor.ofLongs(new int[0], new long[] {rowSize}))),
                b.constant(hint + "_row_step", Tensor.ofLongs(new int[0], new long[] {rowSize})));
        long[] column = new long[inputShape.length];
        Arrays.fill(column, 1);
        column[0] = -1;
        return b.op("Reshape", hint + "_row_origins", starts, b.longs(hint + "_row_shape", column));
    }

    /**
     * Unit kernel and stride: the output shape is the explicit third input; ONNX Runtime only requires it to be at
     * least the shape these attributes infer, which they keep at the pooled size (a ceil-mode or padded pool's own
     * attributes could infer more than the input's size).
     */
    private Attributes unpoolAttributes() {
        return new Attributes(Map.of("kernel_shape", filled(1), "strides", filled(1), "pads",
                new long[2 * spatialRank]));
    }


    private int extent(int lifted) {
        return geometry.dilations()[lifted] * (geometry.kernel()[lifted] - 1) + 1;
    }

    /** The axis of the 2-D lifted geometry that spatial axis {@code axis} of the value is. */
    private int lifted(int axis) {
        return axis + 2 - spatialRank;
    }

    private long[] spatialAxes() {
        long[] axes = new long[spatialRank];
        for (int axis = 0; axis < spatialRank; axis++) {
            axes[axis] = 2 + axis;
        }
        return axes;
    }

    private long[] filled(long value) {
        long[] values = new long[spatialRank];
        Arrays.fill(values, value);
        return values;
    }
}
