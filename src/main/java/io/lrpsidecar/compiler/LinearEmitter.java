package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Emits the two operations every LRP rule of a linear layer is made of: the layer applied to substituted operands,
 * {@code f(x; W, b)}, and its transpose {@code W^T s}. A Dense layer becomes Gemm (rank-2 input) or MatMul + Add and
 * its transpose a MatMul; a Conv stays a Conv and its transpose is a ConvTranspose with the same strides, pads,
 * dilations and group, and the output padding that restores the input size.
 */
final class LinearEmitter {
    private final GraphBuilder builder;
    private final Node node;
    private final int inputRank;
    private final WindowGeometry geometry;

    LinearEmitter(GraphBuilder builder, Node node, int[] inputShape, int[] weightShape) {
        this.builder = builder;
        this.node = node;
        this.inputRank = inputShape.length;
        this.geometry = node.opType().equals("Conv")
                ? WindowGeometry.of(node, inputShape, Arrays.stream(weightShape, 2, weightShape.length)
                        .asLongStream().toArray())
                : null;
    }

    boolean isConv() {
        return geometry != null;
    }

    /** {@code f(x; W, b)}; {@code bias} may be {@code null} for no bias. */
    String forward(String x, String weight, String bias, String hint) {
        if (isConv()) {
            return bias == null ? builder.op("Conv", hint, convAttributes(), x, weight)
                    : builder.op("Conv", hint, convAttributes(), x, weight, bias);
        }
        if (inputRank == 2) {
            Attributes transB = new Attributes(Map.of("transB", 1L));
            return bias == null ? builder.op("Gemm", hint, transB, x, weight)
                    : builder.op("Gemm", hint, transB, x, weight, bias);
        }
        String product = builder.op("MatMul", hint, x, builder.op("Transpose", hint + "_wt", weight));
        return bias == null ? product : builder.op("Add", hint + "_b", product, bias);
    }

    /**
     * {@code W^T s}: the gradient of {@code f} with respect to {@code x}, applied to {@code s}. For a stride-1
     * convolution whose pads do not exceed the kernel extent this is a convolution of {@code s} with the flipped,
     * channel-swapped kernel (usually faster in ONNX Runtime than ConvTranspose); otherwise a ConvTranspose.
     */
    String transposed(String weight, String s, String hint) {
        if (!isConv()) {
            return builder.op("MatMul", hint, s, weight);
        }
        Tensor kernel = builder.initializer(weight);
        if (kernel != null && flippedConvApplies()) {
            String flipped = builder.constant(weight + "_flipped", flip(kernel, groups()));
            return builder.op("Conv", hint, flippedAttributes(), s, flipped);
        }
        return builder.op("ConvTranspose", hint, transposedAttributes(), s, weight);
    }

    private int groups() {
        return (int) node.attributes().getInt("group", 1);
    }

    private boolean flippedConvApplies() {
        for (int axis = 0; axis < 2; axis++) {
            int reach = geometry.dilations()[axis] * (geometry.kernel()[axis] - 1);
            if (geometry.strides()[axis] != 1 || geometry.padsBegin()[axis] > reach
                    || geometry.padsEnd()[axis] > reach) {
                return false;
            }
        }
        return true;
    }

    /** Stride-1 convolution of the output gradient giving back the input size: pads {@code d (k - 1) - p}. */
    private Attributes flippedAttributes() {
        long[] begin = new long[2];
        long[] end = new long[2];
        for (int axis = 0; axis < 2; axis++) {
            int reach = geometry.dilations()[axis] * (geometry.kernel()[axis] - 1);
            begin[axis] = reach - geometry.padsBegin()[axis];
            end[axis] = reach - geometry.padsEnd()[axis];
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("group", (long) groups());
        attributes.put("strides", spatial(geometry.strides()));
        attributes.put("dilations", spatial(geometry.dilations()));
        attributes.put("pads", concat(spatial(begin), spatial(end)));
        attributes.put("kernel_shape", spatial(geometry.kernel()));
        return new Attributes(attributes);
    }

    /**
     * The kernel of the transposed convolution: {@code W'[g*Cg + c, m, i, j] = W[g*Mg + m, c, kh-1-i, kw-1-j]}
     * for weight {@code W[M, Cg, kh, kw]} in {@code groups} groups.
     */
    static Tensor flip(Tensor weight, int groups) {
        int[] shape = weight.shape();
        int outChannels = shape[0];
        int inPerGroup = shape[1];
        int spatial = 1;
        for (int axis = 2; axis < shape.length; axis++) {
            spatial *= shape[axis];
        }
        int outPerGroup = outChannels / groups;
        double[] source = weight.asDoubles();
        double[] flipped = new double[source.length];
        for (int group = 0; group < groups; group++) {
            for (int m = 0; m < outPerGroup; m++) {
                for (int c = 0; c < inPerGroup; c++) {
                    int from = ((group * outPerGroup + m) * inPerGroup + c) * spatial;
                    int to = ((group * inPerGroup + c) * outPerGroup + m) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        flipped[to + k] = source[from + spatial - 1 - k];
                    }
                }
            }
        }
        int[] flippedShape = shape.clone();
        flippedShape[0] = inPerGroup * groups;
        flippedShape[1] = outPerGroup;
        return Tensor.of(flippedShape, flipped);
    }

    /** Conv attributes with every default spelled out and {@code auto_pad} resolved to explicit pads. */
    Attributes convAttributes() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("group", node.attributes().getInt("group", 1));
        attributes.put("strides", spatial(geometry.strides()));
        attributes.put("dilations", spatial(geometry.dilations()));
        attributes.put("pads", concat(spatial(geometry.padsBegin()), spatial(geometry.padsEnd())));
        attributes.put("kernel_shape", spatial(geometry.kernel()));
        return new Attributes(attributes);
    }

    private Attributes transposedAttributes() {
        long[] padsEnd = new long[2];
        long[] outputPadding = new long[2];
        for (int axis = 0; axis < 2; axis++) {
            long extent = (long) geometry.dilations()[axis] * (geometry.kernel()[axis] - 1) + 1;
            long covered = (long) (geometry.outputSize()[axis] - 1) * geometry.strides()[axis] + extent;
            long surplus = covered - geometry.padsBegin()[axis] - geometry.inputSize()[axis];
            padsEnd[axis] = Math.max(surplus, 0);
            outputPadding[axis] = Math.max(-surplus, 0);
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("group", node.attributes().getInt("group", 1));
        attributes.put("strides", spatial(geometry.strides()));
        attributes.put("dilations", spatial(geometry.dilations()));
        attributes.put("pads", concat(spatial(geometry.padsBegin()), spatial(padsEnd)));
        attributes.put("output_padding", spatial(outputPadding));
        attributes.put("kernel_shape", spatial(geometry.kernel()));
        return new Attributes(attributes);
    }

    /** The values of the real spatial axes (the 2-D geometry lifts a 1-D op to height 1). */
    private long[] spatial(int[] lifted) {
        return spatial(Arrays.stream(lifted).asLongStream().toArray());
    }

    private long[] spatial(long[] lifted) {
        return inputRank == 3 ? new long[] {lifted[1]} : lifted;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }
}
