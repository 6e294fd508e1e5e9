package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;

/**
 * {@code Gelu} (opset 20, or fused from the erf or tanh decomposition by {@code graph.rewrite}):
 * <pre>
 *   exact:  y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2,         y' = Phi(x) + x exp(-x^2 / 2) / sqrt(2 pi)
 *   tanh:   y = x (1 + t) / 2,  t = tanh(c (x + 0.044715 x^3)),  c = sqrt(2 / pi)
 *           y' = (1 + t) / 2 + x (1 - t^2) c (1 + 3 * 0.044715 x^2) / 2
 * </pre>
 * Hendrycks and Gimpel, "Gaussian Error Linear Units (GELUs)", arXiv:1606.08415, 2016.
 */
final class GeluOp extends UnaryOp {
    private static final double CUBIC = 0.044715;
    private static final double C = Math.sqrt(2 / Math.PI);

    @Override
    public String opType() {
        return "Gelu";
    }

    @Override
    public String support() {
        return "Gelu (also fused from its erf or tanh decomposition)";
    }

    private static boolean tanh(Node node) {
        return node.attributes().getString("approximate", "none").equals("tanh");
    }

    @Override
    <T> T apply(Primitives<T> p, Node node, T x) {
        T half = p.mul(x, p.scalar(0.5));
        return p.mul(half, p.add(p.scalar(1), tanh(node) ? tanhTerm(p, x) : erfTerm(p, x)));
    }

    @Override
    <T> T derivative(Primitives<T> p, Node node, T x, T y, T g) {
        T slope;
        if (tanh(node)) {
            T t = tanhTerm(p, x);
            T inner = p.mul(p.scalar(C), p.add(p.scalar(1), p.mul(p.scalar(3 * CUBIC), p.mul(x, x))));
            slope = p.add(p.mul(p.scalar(0.5), p.add(p.scalar(1), t)),
                    p.mul(p.mul(p.scalar(0.5), x), p.mul(p.sub(p.scalar(1), p.mul(t, t)), inner)));
        } else {
            T density = p.mul(p.scalar(1 / Math.sqrt(2 * Math.PI)),
                    p.unary(Unary.EXP, p.mul(p.scalar(-0.5), p.mul(x, x))));
            slope = p.add(p.mul(p.scalar(0.5), p.add(p.scalar(1), erfTerm(p, x))), p.mul(x, density));
        }
        return p.mul(g, slope);
    }

    private static <T> T erfTerm(Primitives<T> p, T x) {
        return p.unary(Unary.ERF, p.mul(x, p.scalar(1 / Math.sqrt(2))));
    }

    private static <T> T tanhTerm(Primitives<T> p, T x) {
        T cubic = p.mul(p.mul(x, x), x);
        return p.unary(Unary.TANH, p.mul(p.scalar(C), p.add(x, p.mul(p.scalar(CUBIC), cubic))));
    }
}
