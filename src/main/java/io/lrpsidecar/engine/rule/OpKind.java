package io.lrpsidecar.engine.rule;

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
    /** Softmax and LogSoftmax (attention's softmax inside a graph): the plain gradient in the zennit composites. */
    SOFTMAX,
    /** MatMul of two values that both carry relevance, such as {@code Q K^T} and {@code A V} in attention. */
    MATMUL,
    /** Mul of two values that both carry relevance (gates, squeeze-excitation). */
    PRODUCT,
    /** LayerNormalization (fused from its decomposition below opset 17). */
    LAYERNORM,
    /** ReduceMean, such as the mean over tokens that pools a sequence. */
    MEAN;

    public boolean isLinear() {
        return this == CONV || this == DENSE;
    }
}
