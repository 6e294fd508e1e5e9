package io.lrpsidecar.tensor.doubles;

import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;

/** The dense layer {@code x W^T + b} and the batched matrix product. */
final class Contractions {
    private Contractions() {
    }

    /** {@code y[..., n] = sum_k x[..., k] W[n, k] + b[n]}. */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int outFeatures = weight.dim(0);
        int inFeatures = weight.dim(1);
        if (x.dim(x.rank() - 1) != inFeatures) {
            throw new IllegalArgumentException("linear: input of shape " + Shapes.format(x.shape())
                    + " does not match weight [out, in] of shape " + Shapes.format(weight.shape()));
        }
        double[] xs = x.asDoubles();
        double[] w = weight.asDoubles();
        double[] b = bias == null ? null : bias.asDoubles();
        int rows = xs.length / inFeatures;
        double[] out = new double[rows * outFeatures];
        for (int row = 0; row < rows; row++) {
            for (int n = 0; n < outFeatures; n++) {
                double sum = b == null ? 0 : b[n];
                for (int k = 0; k < inFeatures; k++) {
                    sum += xs[row * inFeatures + k] * w[n * inFeatures + k];
                }
                out[row * outFeatures + n] = sum;
            }
        }
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = outFeatures;
        return Tensor.of(shape, out);
    }

    /** {@code a [..., M, K] @ b [..., K, N]}, the leading axes broadcast; zero terms of {@code a} are skipped. */
    static Tensor matMul(Tensor a, Tensor b) {
        if (a.rank() < 2 || b.rank() < 2 || a.dim(a.rank() - 1) != b.dim(b.rank() - 2)) {
            throw new IllegalArgumentException("matMul expects [..., M, K] and [..., K, N], found "
                    + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape()));
        }
        int m = a.dim(a.rank() - 2);
        int k = a.dim(a.rank() - 1);
        int n = b.dim(b.rank() - 1);
        int[] batch = Shapes.broadcast(Arrays.copyOf(a.shape(), a.rank() - 2), Arrays.copyOf(b.shape(),
                b.rank() - 2));
        int[] aShape = concat(batch, m, k);
        int[] bShape = concat(batch, k, n);
        double[] left = Broadcasting.broadcastTo(a, aShape);
        double[] right = Broadcasting.broadcastTo(b, bShape);
        int batches = Shapes.size(batch);
        double[] out = new double[batches * m * n];
        for (int index = 0; index < batches; index++) {
            for (int row = 0; row < m; row++) {
                for (int inner = 0; inner < k; inner++) {
                    double value = left[(index * m + row) * k + inner];
                    if (value == 0) {
                        continue;
                    }
                    for (int column = 0; column < n; column++) {
                        out[(index * m + row) * n + column] += value * right[(index * k + inner) * n + column];
                    }
                }
            }
        }
        return Tensor.of(concat(batch, m, n), out);
    }

    private static int[] concat(int[] batch, int rows, int columns) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = columns;
        return shape;
    }
}
