package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The pool emission shared by the forward and gradient emitters and {@link OnnxPrimitives}: pool attributes in the
 * form ONNX Runtime computes exactly (explicit pads, floor mode), the explicit zero padding of an AveragePool that
 * counts pads, and the transpose of an AveragePool (a depthwise transposed convolution of ones). MaxPool routing
 * is {@link MaxPoolRouting}.
 */
final class Pools {
    private Pools() {
    }

    /**
     * The input of the AveragePool of {@code x} and its attributes: an AveragePool that counts pads is emitted as
     * an explicit zero Pad and a pool that does not, so that its ceil-mode overhang can become end padding that is
     * not counted either (ONNX Runtime divides by the window clipped to the padded input); the values are those of
     * the original pool.
     *
     * @param input      the value the AveragePool reads ({@code x}, or the explicitly padded {@code x})
     * @param attributes the AveragePool's attributes
     */
    record AveragePoolInput(String input, Attributes attributes) {
    }

    static AveragePoolInput averagePoolInput(GraphBuilder b, Node node, int[] inputShape, String x, String hint) {
        boolean countsPads = node.attributes().getInt("count_include_pad", 0) != 0;
        if (!countsPads) {
            return new AveragePoolInput(x, floorModeAttributes(node, inputShape, false));
        }
        WindowGeometry geometry = geometry(node, inputShape);
        int rank = inputShape.length;
        long[] pads = new long[2 * rank];
        long[] begin = spatial(geometry.padsBegin(), rank);
        long[] end = spatial(geometry.padsEnd(), rank);
        for (int axis = 2; axis < rank; axis++) {
            pads[axis] = begin[axis - 2];
            pads[axis + rank] = end[axis - 2];
        }
        String padded = b.op("Pad", hint + "_explicit_pads", new Attributes(Map.of("mode", "constant")), x,
                b.longs(hint + "_pads", pads));
        return new AveragePoolInput(padded, floorModeAttributes(node, inputShape, true)
                .with("count_include_pad", 0L));
    }

    /**
     * Pool attributes with explicit pads and {@code ceil_mode = 0}: the windows that ceil mode adds become end
     * padding (ONNX shape inference and ONNX Runtime's kernels disagree on ceil mode, and a graph that mixes the two
     * fails to load). With {@code padsAlreadyApplied}, the pads are zero apart from that overhang.
     */
    static Attributes floorModeAttributes(Node node, int[] inputShape, boolean padsAlreadyApplied) {
        WindowGeometry geometry = geometry(node, inputShape);
        int rank = inputShape.length;
        long[] begin = new long[2];
        long[] end = new long[2];
        for (int axis = 0; axis < 2; axis++) {
            int extent = geometry.dilations()[axis] * (geometry.kernel()[axis] - 1) + 1;
            int covered = (geometry.outputSize()[axis] - 1) * geometry.strides()[axis] + extent;
            int overhang = Math.max(0, covered - geometry.inputSize()[axis] - geometry.padsBegin()[axis]
                    - geometry.padsEnd()[axis]);
            begin[axis] = padsAlreadyApplied ? 0 : geometry.padsBegin()[axis];
            end[axis] = (padsAlreadyApplied ? 0 : geometry.padsEnd()[axis]) + overhang;
        }
        long[] spatialBegin = spatial(begin, rank);
        long[] spatialEnd = spatial(end, rank);
        long[] pads = Arrays.copyOf(spatialBegin, spatialBegin.length * 2);
        System.arraycopy(spatialEnd, 0, pads, spatialBegin.length, spatialEnd.length);
        return node.attributes().without("storage_order").without("auto_pad").with("ceil_mode", 0L)
                .with("pads", pads);
    }

    /**
     * The transpose of an AveragePool applied to {@code g}: {@code g} divided by each window's divisor, spread
     * through a depthwise transposed convolution of ones.
     */
    static String averagePoolTransposed(GraphBuilder b, Node node, int[] inputShape, String g, String hint) {
        long[] kernelShape = node.attributes().getInts("kernel_shape").orElseThrow();
        WindowGeometry geometry = WindowGeometry.of(node, inputShape, kernelShape);
        boolean includePad = node.attributes().getInt("count_include_pad", 0) != 0;
        int channels = inputShape[1];
        int[] divisorShape = new int[inputShape.length];
        Arrays.fill(divisorShape, 1);
        int outHeight = geometry.outputSize()[0];
        int outWidth = geometry.outputSize()[1];
        if (inputShape.length == 4) {
            divisorShape[2] = outHeight;
            divisorShape[3] = outWidth;
        } else {
            divisorShape[2] = outWidth;
        }
        double[] divisors = new double[outHeight * outWidth];
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++) {
                divisors[oh * outWidth + ow] = divisor(geometry, oh, ow, includePad);
            }
        }
        String spread = b.op("Div", hint + "_share", g, b.constant(hint + "_divisor",
                Tensor.of(divisorShape, divisors)));
        int[] onesShape = new int[inputShape.length];
        Arrays.fill(onesShape, 1);
        onesShape[0] = channels;
        for (int axis = 2; axis < inputShape.length; axis++) {
            onesShape[axis] = (int) kernelShape[axis - 2];
        }
        Node depthwise = Node.of(node.name(), "Conv", List.of(node.input(0), "", ""), List.of(node.output()),
                node.attributes().with("group", (long) channels));
        return new LinearEmitter(b, depthwise, inputShape, onesShape).transposed(
                b.constant(hint + "_ones", Tensor.filled(onesShape, 1.0)), spread, hint);
    }

    /** The AveragePool divisor of one window, as the reference kernel and ONNX Runtime count it. */
    private static double divisor(WindowGeometry geometry, int oh, int ow, boolean includePad) {
        int[] position = {oh, ow};
        double divisor = 1;
        for (int axis = 0; axis < 2; axis++) {
            int start = position[axis] * geometry.strides()[axis] - geometry.padsBegin()[axis];
            int extent = (geometry.kernel()[axis] - 1) * geometry.dilations()[axis] + 1;
            int end = Math.min(start + extent, geometry.inputSize()[axis] + geometry.padsEnd()[axis]);
            if (!includePad) {
                int count = 0;
                for (int tap = 0; tap < geometry.kernel()[axis]; tap++) {
                    int coordinate = start + tap * geometry.dilations()[axis];
                    if (coordinate >= 0 && coordinate < geometry.inputSize()[axis]) {
                        count++;
                    }
                }
                divisor *= count;
            } else {
                divisor *= end - start;
            }
        }
        return divisor;
    }

    static WindowGeometry geometry(Node node, int[] inputShape) {
        return WindowGeometry.of(node, inputShape, node.attributes().getInts("kernel_shape").orElseThrow());
    }

    /** The real spatial axes of a value lifted to 2-D by {@link WindowGeometry}. */
    private static long[] spatial(int[] lifted, int rank) {
        return spatial(Arrays.stream(lifted).asLongStream().toArray(), rank);
    }

    private static long[] spatial(long[] lifted, int rank) {
        return rank == 3 ? new long[] {lifted[1]} : lifted;
    }
}
