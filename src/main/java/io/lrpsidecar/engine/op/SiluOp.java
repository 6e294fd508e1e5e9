package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;

/**
 * {@code Silu} (the engine's own node, fused from {@code x * Sigmoid(x)} by {@code graph.rewrite}; ONNX names it
 * Swish only from opset 24): {@code y = x s(x)}, {@code y' = s(x) (1 + x (1 - s(x)))}. Elfwing et al.,
 * "Sigmoid-Weighted Linear Units", Neural Networks 107, 2018.
 */
final class SiluOp extends UnaryOp {

    @Override
    public String opType() {
        return "Silu";
    }

    @Override
    public String domain() {
        return Node.LRP_DOMAIN;
    }

    @Override
    public String support() {
        return "SiLU (x * Sigmoid(x), fused)";
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return p.mul(x, p.unary(Unary.SIGMOID, x));
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        T s = p.unary(Unary.SIGMOID, x);
        return p.mul(g, p.mul(s, p.add(p.scalar(1), p.mul(x, p.sub(p.scalar(1), s)))));
    }
}
