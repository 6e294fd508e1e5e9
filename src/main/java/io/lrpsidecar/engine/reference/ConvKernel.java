package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX {@code Conv} over one or two spatial axes with groups, strides, pads (explicit or {@code auto_pad}) and
 * dilations. The backward pass is the transposed convolution: each output gradient is spread back over the input
 * taps of its window; padded taps receive nothing.
 */
final class ConvKernel implements Kernel {

    @Override
    public Tensor forward(Node node, List<Tensor> inputs) {
        Tensor x = inputs.get(0);
        Tensor weight = inputs.get(1);
        Layout layout = Layout.of(node, x.shape(), weight);
        double[] xs = x.asDoubles();
        double[] w = weight.asDoubles();
        double[] bias = inputs.size() > 2 && inputs.get(2) != null ? inputs.get(2).asDoubles() : null;
        double[] out = new double[layout.batch * layout.outChannels * layout.outPlane()];
        layout.forEachTap((outIndex, inIndex, weightIndex) -> out[outIndex] += xs[inIndex] * w[weightIndex]);
        if (bias != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] += bias[(i / layout.outPlane()) % layout.outChannels];
            }
        }
        return Tensor.of(layout.geometry.outputShape(x.shape(), layout.outChannels), out);
    }

    @Override
    public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
        Tensor x = inputs.get(0);
        Tensor weight = inputs.get(1);
        Layout layout = Layout.of(node, x.shape(), weight);
        double[] g = outputGradient.asDoubles();
        double[] w = weight.asDoubles();
        double[] gx = new double[x.size()];
        layout.forEachTap((outIndex, inIndex, weightIndex) -> gx[inIndex] += g[outIndex] * w[weightIndex]);
        return Arrays.asList(Tensor.of(x.shape(), gx), null, null);
    }

    /** Visits one (output element, input element, weight element) triple of the convolution sum. */
    @FunctionalInterface
    private interface TapVisitor {
        void visit(int outIndex, int inIndex, int weightIndex);
    }

    /** Index arithmetic of a grouped 2-D convolution (1-D inputs have height 1). */
    private record Layout(WindowGeometry geometry, int batch, int inChannels, int outChannels, int groups) {

        static Layout of(Node node, int[] inputShape, Tensor weight) {
            int[] w = weight.shape();
            long[] kernel = Arrays.stream(w, 2, w.length).asLongStream().toArray();
            WindowGeometry geometry = WindowGeometry.of(node, inputShape, kernel);
            int groups = (int) node.attributes().getInt("group", 1);
            if (inputShape[1] != w[1] * groups || w[0] % groups != 0) {
                throw new IllegalArgumentException("node " + node.describe() + ": input has " + inputShape[1]
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
