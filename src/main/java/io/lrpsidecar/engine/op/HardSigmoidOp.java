package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import java.util.function.Predicate;

/**
 * {@code HardSigmoid}: {@code y = max(0, min(1, alpha x + beta))} (ONNX defaults {@code alpha = 0.2},
 * {@code beta = 0.5}; torch's {@code Hardsigmoid} exports {@code alpha = 1/6}), gradient {@code g alpha} where
 * {@code 0 < alpha x + beta < 1} and 0 elsewhere. An activation: its default rule is {@code pass} (identity), as
 * zennit's composites give every {@code zennit.types.Activation}, {@code Hardsigmoid} included. In MobileNetV3 it is
 * the squeeze-excitation gate, whose {@code Mul} with the features is a {@code PRODUCT}.
 */
final class HardSigmoidOp extends UnaryOp {

    @Override
    public String opType() {
        return "HardSigmoid";
    }

    /** {@code alpha x + beta}. */
    static <T> T affine(Primitives<T> p, T x, double alpha, double beta) {
        return p.add(p.mul(x, p.scalar(alpha)), p.scalar(beta));
    }

    /** {@code max(0, min(1, z))}. */
    static <T> T clip01(Primitives<T> p, T z) {
        return p.sub(p.unary(Unary.POSITIVE, z), p.unary(Unary.POSITIVE, p.sub(z, p.scalar(1))));
    }

    /** 1 where {@code 0 < z < 1}, else 0: where the clip is the identity. */
    static <T> T linearPart(Primitives<T> p, T z) {
        return p.mul(p.compare(Comparison.GT, z, p.scalar(0)), p.compare(Comparison.LT, z, p.scalar(1)));
    }

    private static double alpha(Node node) {
        return node.attributes().getFloat("alpha", 0.2);
    }

    private static double beta(Node node) {
        return node.attributes().getFloat("beta", 0.5);
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        return clip01(p, affine(p, x, alpha(node), beta(node)));
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        T z = affine(p, x, alpha(node), beta(node));
        return p.mul(g, p.mul(linearPart(p, z), p.scalar(alpha(node))));
    }

    @Override
    public boolean nonNegativeOutput(Node node, Graph graph, Predicate<String> nonNegative) {
        return true;
    }
}
