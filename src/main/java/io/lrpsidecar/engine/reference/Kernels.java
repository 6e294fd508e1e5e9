package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import java.util.Map;
import java.util.Optional;

/** The reference kernel of every operator the engine supports, by op type. */
public final class Kernels {
    private static final Kernel IDENTITY = ElementwiseKernels.Activation.identity();
    private static final Kernel RESHAPING = new ShapeKernels.Reshaping();

    private static final Map<String, Kernel> BY_OP_TYPE = Map.ofEntries(
            Map.entry("Dense", new DenseKernel()),
            Map.entry("Conv", new ConvKernel()),
            Map.entry("MaxPool", new PoolKernels.MaxPool()),
            Map.entry("AveragePool", new PoolKernels.AveragePool()),
            Map.entry("GlobalAveragePool", new PoolKernels.GlobalAveragePool()),
            Map.entry("Relu", ElementwiseKernels.Activation.relu()),
            Map.entry("LeakyRelu", ElementwiseKernels.Activation.leakyRelu()),
            Map.entry("Sigmoid", ElementwiseKernels.Activation.sigmoid()),
            Map.entry("Tanh", ElementwiseKernels.Activation.tanh()),
            Map.entry("Identity", IDENTITY),
            Map.entry("Dropout", IDENTITY),
            Map.entry("BatchNormalization", new ElementwiseKernels.BatchNormalization()),
            Map.entry("Add", new ElementwiseKernels.Binary("Add")),
            Map.entry("Sub", new ElementwiseKernels.Binary("Sub")),
            Map.entry("Mul", new ElementwiseKernels.Binary("Mul")),
            Map.entry("Div", new ElementwiseKernels.Binary("Div")),
            Map.entry("Softmax", new ElementwiseKernels.Softmax(false)),
            Map.entry("LogSoftmax", new ElementwiseKernels.Softmax(true)),
            Map.entry("Flatten", RESHAPING),
            Map.entry("Reshape", RESHAPING),
            Map.entry("Squeeze", RESHAPING),
            Map.entry("Unsqueeze", RESHAPING),
            Map.entry("Transpose", new ShapeKernels.Transpose()),
            Map.entry("Concat", new ShapeKernels.Concat()),
            Map.entry("Pad", new ShapeKernels.Pad()));

    private Kernels() {
    }

    public static Optional<Kernel> find(Node node) {
        return Optional.ofNullable(BY_OP_TYPE.get(node.opType()));
    }

    public static Kernel of(Node node) {
        return find(node).orElseThrow(() -> new IllegalStateException("no reference kernel for " + node.describe()));
    }
}
