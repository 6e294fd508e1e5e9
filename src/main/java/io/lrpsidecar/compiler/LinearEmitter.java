package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
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

    /** {@code W^T s}: the gradient of {@code f} with respect to {@code x}, applied to {@code s}. */
    String transposed(String weight, String s, String hint) {
        if (!isConv()) {
            return builder.op("MatMul", hint, s, weight);
        }
        return builder.op("ConvTranspose", hint, transposedAttributes(), s, weight);
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
