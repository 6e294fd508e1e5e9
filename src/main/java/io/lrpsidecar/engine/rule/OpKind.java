package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import java.util.Set;

/**
 * The role of a node for rule assignment, the ONNX counterpart of zennit's type groups ({@code zennit.types}).
 */
public enum OpKind {
    /** {@code Conv}: zennit's {@code Convolution}. */
    CONV,
    /** {@code Dense} (from Gemm or MatMul + Add): {@code torch.nn.Linear}. */
    DENSE,
    /** Hidden activations (Relu, LeakyRelu, Sigmoid, Tanh): zennit's {@code Activation}. */
    ACTIVATION,
    /** AveragePool and GlobalAveragePool: zennit's {@code AvgPool}. */
    AVGPOOL,
    /** Add of two activations, the residual sum: {@code zennit.layer.Sum}. */
    SUM,
    /** An unmerged BatchNormalization. */
    BATCHNORM,
    /** MaxPool: the plain gradient, which routes relevance to the first maximum of each window. */
    MAXPOOL,
    /**
     * Ops that only move or copy values (Identity, Dropout, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat,
     * Pad): the plain gradient, a permutation.
     */
    MOVE,
    /** Elementwise arithmetic other than the residual sum (Add of a constant, Sub, Mul, Div): the plain gradient. */
    SCALE,
    /** Softmax and LogSoftmax, which only end the graph: the plain gradient. */
    SOFTMAX;

    private static final Set<String> ACTIVATIONS = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh");
    private static final Set<String> ARITHMETIC = Set.of("Add", "Sub", "Mul", "Div");

    public boolean isLinear() {
        return this == CONV || this == DENSE;
    }

    /** Classifies one node of a canonical graph. */
    public static OpKind of(Node node, Graph graph) {
        return switch (node.opType()) {
            case "Conv" -> CONV;
            case "Dense" -> DENSE;
            case "AveragePool", "GlobalAveragePool" -> AVGPOOL;
            case "BatchNormalization" -> BATCHNORM;
            case "Add" -> graph.isConstant(node.input(0)) || graph.isConstant(node.input(1)) ? SCALE : SUM;
            case "MaxPool" -> MAXPOOL;
            case "Softmax", "LogSoftmax" -> SOFTMAX;
            default -> ACTIVATIONS.contains(node.opType()) ? ACTIVATION
                    : ARITHMETIC.contains(node.opType()) ? SCALE : MOVE;
        };
    }
}
