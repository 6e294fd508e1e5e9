package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.Arrays;
import java.util.List;

/** MaxPool, AveragePool and GlobalAveragePool over one or two spatial axes. */
final class PoolKernels {
    private PoolKernels() {
    }

    /** Visits the input elements of one pooling window. */
    @FunctionalInterface
    private interface WindowVisitor {
        void visit(int outIndex, int[] inIndices, int count, int divisorIncludingPads);
    }

    private static WindowGeometry geometry(Node node, int[] inputShape) {
        long[] kernel = node.attributes().getInts("kernel_shape").orElseThrow(() -> new ModelLoadException(
                "node " + node.describe() + " has no kernel_shape"));
        return WindowGeometry.of(node, inputShape, kernel);
    }

    /** Walks every window; the divisor for count_include_pad follows PyTorch/ONNX Runtime (pads, not overhang). */
    private static void forEachWindow(WindowGeometry geometry, int[] inputShape, WindowVisitor visitor) {
        int planes = inputShape[0] * inputShape[1];
        int inHeight = geometry.inputSize()[0];
        int inWidth = geometry.inputSize()[1];
        int outHeight = geometry.outputSize()[0];
        int outWidth = geometry.outputSize()[1];
        int[] indices = new int[geometry.kernel()[0] * geometry.kernel()[1]];
        for (int plane = 0; plane < planes; plane++) {
            for (int oh = 0; oh < outHeight; oh++) {
                int hStart = oh * geometry.strides()[0] - geometry.padsBegin()[0];
                int hEnd = Math.min(hStart + (geometry.kernel()[0] - 1) * geometry.dilations()[0] + 1,
                        inHeight + geometry.padsEnd()[0]);
                for (int ow = 0; ow < outWidth; ow++) {
                    int wStart = ow * geometry.strides()[1] - geometry.padsBegin()[1];
                    int wEnd = Math.min(wStart + (geometry.kernel()[1] - 1) * geometry.dilations()[1] + 1,
                            inWidth + geometry.padsEnd()[1]);
                    int count = 0;
                    for (int kh = 0; kh < geometry.kernel()[0]; kh++) {
                        int ih = hStart + kh * geometry.dilations()[0];
                        for (int kw = 0; kw < geometry.kernel()[1]; kw++) {
                            int iw = wStart + kw * geometry.dilations()[1];
                            if (ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth) {
                                indices[count++] = (plane * inHeight + ih) * inWidth + iw;
                            }
                        }
                    }
                    int divisor = (hEnd - hStart) * (wEnd - wStart);
                    visitor.visit((plane * outHeight + oh) * outWidth + ow, indices, count, divisor);
                }
            }
        }
    }

    /**
     * MaxPool; the gradient routes each output's gradient to the first maximal element of its window in row-major
     * scan order (PyTorch's tie rule), and overlapping windows add up.
     */
    static final class MaxPool implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            WindowGeometry geometry = geometry(node, x.shape());
            double[] xs = x.asDoubles();
            int[] outShape = geometry.outputShape(x.shape(), x.dim(1));
            double[] out = new double[io.lrpsidecar.graph.Shapes.size(outShape)];
            forEachWindow(geometry, x.shape(), (outIndex, in, count, divisor) -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < count; i++) {
                    max = Math.max(max, xs[in[i]]);
                }
                out[outIndex] = max;
            });
            return Tensor.of(outShape, out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor x = inputs.get(0);
            WindowGeometry geometry = geometry(node, x.shape());
            double[] xs = x.asDoubles();
            double[] g = outputGradient.asDoubles();
            double[] gx = new double[x.size()];
            forEachWindow(geometry, x.shape(), (outIndex, in, count, divisor) -> {
                int winner = -1;
                for (int i = 0; i < count; i++) {
                    if (winner < 0 || xs[in[i]] > xs[winner]) {
                        winner = in[i];
                    }
                }
                if (winner >= 0) {
                    gx[winner] += g[outIndex];
                }
            });
            return Arrays.asList(Tensor.of(x.shape(), gx));
        }
    }

    /** AveragePool with {@code count_include_pad} either way; the gradient spreads {@code g / divisor}. */
    static final class AveragePool implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            WindowGeometry geometry = geometry(node, x.shape());
            boolean includePad = node.attributes().getInt("count_include_pad", 0) != 0;
            double[] xs = x.asDoubles();
            int[] outShape = geometry.outputShape(x.shape(), x.dim(1));
            double[] out = new double[io.lrpsidecar.graph.Shapes.size(outShape)];
            forEachWindow(geometry, x.shape(), (outIndex, in, count, divisor) -> {
                double sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += xs[in[i]];
                }
                out[outIndex] = count == 0 ? 0 : sum / (includePad ? divisor : count);
            });
            return Tensor.of(outShape, out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor x = inputs.get(0);
            WindowGeometry geometry = geometry(node, x.shape());
            boolean includePad = node.attributes().getInt("count_include_pad", 0) != 0;
            double[] g = outputGradient.asDoubles();
            double[] gx = new double[x.size()];
            forEachWindow(geometry, x.shape(), (outIndex, in, count, divisor) -> {
                if (count == 0) {
                    return;
                }
                double share = g[outIndex] / (includePad ? divisor : count);
                for (int i = 0; i < count; i++) {
                    gx[in[i]] += share;
                }
            });
            return Arrays.asList(Tensor.of(x.shape(), gx));
        }
    }

    /** GlobalAveragePool: the mean over all spatial positions of each channel, output {@code [N, C, 1, ...]}. */
    static final class GlobalAveragePool implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            int planes = x.dim(0) * x.dim(1);
            int planeSize = x.size() / Math.max(planes, 1);
            double[] xs = x.asDoubles();
            double[] out = new double[planes];
            for (int plane = 0; plane < planes; plane++) {
                double sum = 0;
                for (int i = 0; i < planeSize; i++) {
                    sum += xs[plane * planeSize + i];
                }
                out[plane] = sum / planeSize;
            }
            return Tensor.of(outputShape(x.shape()), out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor x = inputs.get(0);
            int planes = x.dim(0) * x.dim(1);
            int planeSize = x.size() / Math.max(planes, 1);
            double[] g = outputGradient.asDoubles();
            double[] gx = new double[x.size()];
            for (int plane = 0; plane < planes; plane++) {
                for (int i = 0; i < planeSize; i++) {
                    gx[plane * planeSize + i] = g[plane] / planeSize;
                }
            }
            return Arrays.asList(Tensor.of(x.shape(), gx));
        }

        static int[] outputShape(int[] inputShape) {
            int[] shape = inputShape.clone();
            Arrays.fill(shape, 2, shape.length, 1);
            return shape;
        }
    }
}
