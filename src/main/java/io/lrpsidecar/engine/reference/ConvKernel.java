package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Window;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX {@code Conv} over one or two spatial axes with groups, strides, pads (explicit or {@code auto_pad}) and
 * dilations. The backward pass is the transposed convolution.
 */
final class ConvKernel implements Kernel {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    @Override
    public Tensor forward(Node node, List<Tensor> inputs) {
        return P.conv(inputs.get(0), inputs.get(1), inputs.size() > 2 ? inputs.get(2) : null, new Window(node));
    }

    @Override
    public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
        return Arrays.asList(P.convTransposed(outputGradient, inputs.get(1), new Window(node), inputs.get(0)), null,
                null);
    }
}
