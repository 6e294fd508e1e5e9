package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical dense layer {@code y[..., n] = sum_k x[..., k] W[n, k] + b[n]} (inputs {@code x, W[N, K], b[N]}),
 * which Gemm and MatMul + Add become when the graph is canonicalized. Its gradient is {@code g W}.
 */
final class DenseKernel implements Kernel {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public Tensor forward(Node node, List<Tensor> inputs) {
        return P.linear(inputs.get(0), inputs.get(1), inputs.size() > 2 ? inputs.get(2) : null);
    }

    @Override
    public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
        return Arrays.asList(P.matMul(outputGradient, inputs.get(1)), null, null);
    }
}
