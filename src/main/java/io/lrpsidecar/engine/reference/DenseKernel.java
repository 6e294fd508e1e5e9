package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical dense layer {@code y[..., n] = sum_k x[..., k] W[n, k] + b[n]} (inputs {@code x, W[N, K], b[N]}),
 * which Gemm and MatMul + Add become when the graph is canonicalized.
 */
final class DenseKernel implements Kernel {

    @Override
    public Tensor forward(Node node, List<Tensor> inputs) {
        Tensor x = inputs.get(0);
        Tensor weight = inputs.get(1);
        int outFeatures = weight.dim(0);
        int inFeatures = weight.dim(1);
        double[] xs = x.asDoubles();
        double[] w = weight.asDoubles();
        double[] bias = inputs.size() > 2 && inputs.get(2) != null ? inputs.get(2).asDoubles() : null;
        int rows = xs.length / inFeatures;
        double[] out = new double[rows * outFeatures];
        for (int row = 0; row < rows; row++) {
            for (int n = 0; n < outFeatures; n++) {
                double sum = bias == null ? 0 : bias[n];
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

    @Override
    public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
        Tensor weight = inputs.get(1);
        int outFeatures = weight.dim(0);
        int inFeatures = weight.dim(1);
        double[] g = outputGradient.asDoubles();
        double[] w = weight.asDoubles();
        int rows = g.length / outFeatures;
        double[] gx = new double[rows * inFeatures];
        for (int row = 0; row < rows; row++) {
            for (int n = 0; n < outFeatures; n++) {
                double upstream = g[row * outFeatures + n];
                if (upstream == 0) {
                    continue;
                }
                for (int k = 0; k < inFeatures; k++) {
                    gx[row * inFeatures + k] += upstream * w[n * inFeatures + k];
                }
            }
        }
        int[] shape = outputGradient.shape().clone();
        shape[shape.length - 1] = inFeatures;
        return Arrays.asList(Tensor.of(shape, gx), null, null);
    }
}
