package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.WindowGeometry;
import io.lrpsidecar.tensor.Window;

/** MaxPool and AveragePool over one or two spatial axes, and their transposes. */
final class Pooling {
    private Pooling() {
    }

    /** Visits the input elements of one pooling window. */
    @FunctionalInterface
    private interface WindowVisitor {
        void visit(int outIndex, int[] inIndices, int count, int divisorIncludingPads);
    }

    static Tensor max(Tensor x, Window window) {
        WindowGeometry geometry = window.poolGeometry(x.shape());
        double[] xs = x.asDoubles();
        int[] outShape = geometry.outputShape(x.shape(), x.dim(1));
        double[] out = new double[Shapes.size(outShape)];
        forEachWindow(geometry, x.shape(), (outIndex, in, count, divisor) -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < count; i++) {
                max = Math.max(max, xs[in[i]]);
            }
            out[outIndex] = max;
        });
        return Tensor.of(outShape, out);
    }

    /**
     * Routes each output's {@code s} to the first maximal element of its window in row-major scan order (PyTorch's
     * tie rule); overlapping windows add up.
     */
    static Tensor maxRoute(Tensor s, Tensor x, Window window) {
        WindowGeometry geometry = window.poolGeometry(x.shape());
        double[] xs = x.asDoubles();
        double[] g = s.asDoubles();
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
        return Tensor.of(x.shape(), gx);
    }

    /** The average with {@code count_include_pad} either way. */
    static Tensor average(Tensor x, Window window) {
        WindowGeometry geometry = window.poolGeometry(x.shape());
        boolean includePad = window.countIncludePad();
        double[] xs = x.asDoubles();
        int[] outShape = geometry.outputShape(x.shape(), x.dim(1));
        double[] out = new double[Shapes.size(outShape)];
        forEachWindow(geometry, x.shape(), (outIndex, in, count, divisor) -> {
            double sum = 0;
            for (int i = 0; i < count; i++) {
                sum += xs[in[i]];
            }
            out[outIndex] = count == 0 ? 0 : sum / (includePad ? divisor : count);
        });
        return Tensor.of(outShape, out);
    }

    /** Spreads {@code s / divisor} over each window. */
    static Tensor averageTransposed(Tensor s, Window window, Tensor input) {
        WindowGeometry geometry = window.poolGeometry(input.shape());
        boolean includePad = window.countIncludePad();
        double[] g = s.asDoubles();
        double[] gx = new double[input.size()];
        forEachWindow(geometry, input.shape(), (outIndex, in, count, divisor) -> {
            if (count == 0) {
                return;
            }
            double share = g[outIndex] / (includePad ? divisor : count);
            for (int i = 0; i < count; i++) {
                gx[in[i]] += share;
            }
        });
        return Tensor.of(input.shape(), gx);
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
}
