package io.lrpsidecar.graph;

import java.util.Arrays;

/**
 * The sliding-window geometry shared by Conv, MaxPool and AveragePool, lifted to two spatial axes (a 1-D op is a
 * 2-D op of height 1). Resolves {@code auto_pad}, {@code ceil_mode}, strides, dilations and explicit pads as the ONNX
 * operator specification defines them.
 *
 * @param kernel     window size per spatial axis (height, width)
 * @param strides    step per axis
 * @param dilations  spacing of the window taps per axis
 * @param padsBegin  padding before the first element per axis
 * @param padsEnd    padding after the last element per axis
 * @param inputSize  input spatial size per axis
 * @param outputSize output spatial size per axis
 */
public record WindowGeometry(int[] kernel, int[] strides, int[] dilations, int[] padsBegin, int[] padsEnd,
        int[] inputSize, int[] outputSize) {

    /**
     * Resolves the geometry of a node applied to an input of the given shape {@code [N, C, spatial...]}.
     *
     * @param kernelShape the spatial kernel shape (from the weight for Conv, from {@code kernel_shape} for pools)
     */
    public static WindowGeometry of(Node node, int[] inputShape, long[] kernelShape) {
        int spatialRank = inputShape.length - 2;
        if (spatialRank < 1 || spatialRank > 2) {
            throw new ModelLoadException("node " + node.describe() + " expected a 1-D or 2-D spatial input "
                    + "[N, C, L] or [N, C, H, W], found shape " + Arrays.toString(inputShape));
        }
        if (kernelShape.length != spatialRank) {
            throw new ModelLoadException("node " + node.describe() + " has a kernel of rank " + kernelShape.length
                    + " for an input with " + spatialRank + " spatial axes");
        }
        Attributes attributes = node.attributes();
        long[] strides = attributes.getInts("strides").orElse(filled(spatialRank, 1));
        long[] dilations = attributes.getInts("dilations").orElse(filled(spatialRank, 1));
        long[] pads = attributes.getInts("pads").orElse(filled(2 * spatialRank, 0));
        String autoPad = attributes.getString("auto_pad", "NOTSET");
        boolean ceilMode = attributes.getInt("ceil_mode", 0) != 0;
        int[] kernel = new int[2];
        int[] stride = new int[2];
        int[] dilation = new int[2];
        int[] begin = new int[2];
        int[] end = new int[2];
        int[] in = new int[2];
        int[] out = new int[2];
        int offset = 2 - spatialRank;
        Arrays.fill(kernel, 1);
        Arrays.fill(stride, 1);
        Arrays.fill(dilation, 1);
        Arrays.fill(in, 1);
        Arrays.fill(out, 1);
        for (int axis = 0; axis < spatialRank; axis++) {
            int target = axis + offset;
            kernel[target] = (int) kernelShape[axis];
            stride[target] = (int) strides[axis];
            dilation[target] = (int) dilations[axis];
            in[target] = inputShape[2 + axis];
            int extent = dilation[target] * (kernel[target] - 1) + 1;
            switch (autoPad) {
                case "NOTSET" -> {
                    begin[target] = (int) pads[axis];
                    end[target] = (int) pads[axis + spatialRank];
                }
                case "VALID" -> {
                    begin[target] = 0;
                    end[target] = 0;
                }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    int wanted = ceilDiv(in[target], stride[target]);
                    int total = Math.max(0, (wanted - 1) * stride[target] + extent - in[target]);
                    int small = total / 2;
                    begin[target] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[target] = total - begin[target];
                }
                default -> throw new ModelLoadException("node " + node.describe() + " has auto_pad '" + autoPad
                        + "', expected NOTSET, VALID, SAME_UPPER or SAME_LOWER");
            }
            int span = in[target] + begin[target] + end[target] - extent;
            if (span < 0) {
                throw new ModelLoadException("node " + node.describe() + ": window of extent " + extent
                        + " does not fit the padded input size " + (in[target] + begin[target] + end[target]));
            }
            out[target] = (ceilMode ? ceilDiv(span, stride[target]) : span / stride[target]) + 1;
            if (ceilMode && (out[target] - 1) * stride[target] >= in[target] + begin[target]) {
                out[target]--;
            }
        }
        return new WindowGeometry(kernel, stride, dilation, begin, end, in, out);
    }

    /** The output shape {@code [N, channels, spatial...]} keeping the input's spatial rank. */
    public int[] outputShape(int[] inputShape, int channels) {
        int[] shape = inputShape.clone();
        shape[1] = channels;
        if (inputShape.length == 3) {
            shape[2] = outputSize[1];
        } else {
            shape[2] = outputSize[0];
            shape[3] = outputSize[1];
        }
        return shape;
    }

    private static long[] filled(int length, long value) {
        long[] values = new long[length];
        Arrays.fill(values, value);
        return values;
    }

    private static int ceilDiv(int numerator, int denominator) {
        return -Math.floorDiv(-numerator, denominator);
    }
}
