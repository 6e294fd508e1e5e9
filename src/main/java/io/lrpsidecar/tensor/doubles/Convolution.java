package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import io.lrpsidecar.tensor.Window;
import java.util.Arrays;

/**
 * ONNX {@code Conv} over one or two spatial axes with groups, strides, pads (explicit or {@code auto_pad}) and
 * dilations, and its transpose: each output gradient is spread back over the input taps of its window; padded taps
 * receive nothing.
 */
final class Convolution {
    private Convolution() {
    }

    static Tensor forward(Tensor x, Tensor weight, Tensor bias, Window window) {
        Layout layout = Layout.of(window, x.shape(), weight);
        double[] xs = x.asDoubles();
        double[] w = weight.asDoubles();
        double[] b = bias == null ? null : bias.asDoubles();
        double[] out = new double[layout.batch * layout.outChannels * layout.outPlane()];
        layout.forEachTap((outIndex, inIndex, weightIndex) -> out[outIndex] += xs[inIndex] * w[weightIndex]);
        if (b != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] += b[(i / layout.outPlane()) % layout.outChannels];
            }
        }
        return Tensor.of(layout.geometry.outputShape(x.shape(), layout.outChannels), out);
    }

    static Tensor transposed(Tensor s, Tensor weight, Window window, Tensor input) {
        Layout layout = Layout.of(window, input.shape(), weight);
        double[] g = s.asDoubles();
        double[] w = weight.asDoubles();
        double[] gx = new double[input.size()];
        layout.forEachTap((outIndex, inIndex, weightIndex) -> gx[inIndex] += g[outIndex] * w[weightIndex]);
        return Tensor.of(input.shape(), gx);
    }

    /** Visits one (output element, input element, weight element) triple of the convolution sum. */
    @FunctionalInterface
    private interface TapVisitor {
        void visit(int outIndex, int inIndex, int weightIndex);
    }

    /** Index arithmetic of a grouped 2-D convolution (1-D inputs have height 1). */
    private record Layout(WindowGeometry geometry, int batch, int inChannels, int outChannels, int groups) {

        static Layout of(Window window, int[] inputShape, Tensor weight) {
            int[] w = weight.shape();
            long[] kernel = Arrays.stream(w, 2, w.length).asLongStream().toArray();
            WindowGeometry geometry = window.geometry(inputShape, kernel);
            int groups = window.groups();
            if (inputShape[1] != w[1] * groups || w[0] % groups != 0) {
                throw new IllegalArgumentException("node " + window.node().describe() + ": input has " + inputShape[1]
                        + " channels, expected weight[1] x group = " + w[1] * groups);
            }
            return new Layout(geometry, inputShape[0], inputShape[1], w[0], groups);
        }

        int outPlane() {
            return geometry.outputSize()[0] * geometry.outputSize()[1];
        }

        void forEachTap(TapVisitor visitor) {
            int[] kernel = geometry.kernel();
            int[] stride = geometry.strides();
            int[] dilation = geometry.dilations();
            int[] pad = geometry.padsBegin();
            int inHeight = geometry.inputSize()[0];
            int inWidth = geometry.inputSize()[1];
            int outHeight = geometry.outputSize()[0];
            int outWidth = geometry.outputSize()[1];
            int inPerGroup = inChannels / groups;
            int outPerGroup = outChannels / groups;
            for (int n = 0; n < batch; n++) {
                for (int m = 0; m < outChannels; m++) {
                    int group = m / outPerGroup;
                    for (int c = 0; c < inPerGroup; c++) {
                        int inChannel = group * inPerGroup + c;
                        for (int kh = 0; kh < kernel[0]; kh++) {
                            for (int kw = 0; kw < kernel[1]; kw++) {
                                int weightIndex = ((m * inPerGroup + c) * kernel[0] + kh) * kernel[1] + kw;
                                for (int oh = 0; oh < outHeight; oh++) {
                                    int ih = oh * stride[0] - pad[0] + kh * dilation[0];
                                    if (ih < 0 || ih >= inHeight) {
                                        continue;
                                    }
                                    for (int ow = 0; ow < outWidth; ow++) {
                                        int iw = ow * stride[1] - pad[1] + kw * dilation[1];
                                        if (iw < 0 || iw >= inWidth) {
                                            continue;
                                        }
                                        int outIndex = ((n * outChannels + m) * outHeight + oh) * outWidth + ow;
                                        int inIndex = ((n * inChannels + inChannel) * inHeight + ih) * inWidth + iw;
                                        visitor.visit(outIndex, inIndex, weightIndex);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
