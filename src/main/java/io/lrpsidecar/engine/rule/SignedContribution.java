package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;

/**
 * The building block of z+ and alpha-beta: the relevance carried by one sign of the contributions,
 * <pre>
 *   z_j = f(x+; Wa, ba)_j + f(x-; Wb, 0)_j,   s_j = R_j / stab(z_j)
 *   R_i = x+_i (Wa^T s)_i + x-_i (Wb^T s)_i
 * </pre>
 * with {@code (Wa, Wb, ba) = (W+, W-, b+)} for the positive part and {@code (W-, W+, b-)} for the negative one. Where the
 * input is known to be non-negative, {@code x- = 0} and its terms are dropped. The positive part's {@code z} is then
 * never negative, so zennit's stabilizer {@code z + eps sign0(z)} is {@code z + eps} everywhere and the layer's own
 * bias takes it: {@code stab(z) = f(x; W+, b+ + eps)}, one convolution and no elementwise pass (issue #13).
 */
final class SignedContribution {

    private SignedContribution() {
    }

    static <T> T positivePart(Primitives<T> p, LinearLayer<T> layer, T relevance, double stabilizer) {
        T wPos = p.unary(POSITIVE, layer.weight());
        T bPos = p.unary(POSITIVE, layer.bias());
        if (layer.nonNegativeInput()) {
            T stabilized = layer.forward(layer.x(), wPos, p.add(bPos, p.scalar(stabilizer)));
            return p.mul(layer.x(), layer.transposed(wPos, p.div(relevance, stabilized)));
        }
        return of(p, layer, relevance, wPos, p.unary(NEGATIVE, layer.weight()), bPos, stabilizer);
    }

    static <T> T negativePart(Primitives<T> p, LinearLayer<T> layer, T relevance, double stabilizer) {
        return of(p, layer, relevance, p.unary(NEGATIVE, layer.weight()), p.unary(POSITIVE, layer.weight()),
                p.unary(NEGATIVE, layer.bias()), stabilizer);
    }

    private static <T> T of(Primitives<T> p, LinearLayer<T> layer, T relevance, T wa, T wb, T ba,
            double stabilizer) {
        if (layer.nonNegativeInput()) {
            T z = layer.forward(layer.x(), wa, ba);
            return p.mul(layer.x(), layer.transposed(wa, Stabilizer.ZENNIT.divide(p, relevance, z, stabilizer)));
        }
        T xPos = p.unary(POSITIVE, layer.x());
        T xNeg = p.sub(layer.x(), xPos);
        T z = p.add(layer.forward(xPos, wa, ba), layer.forward(xNeg, wb, null));
        T s = Stabilizer.ZENNIT.divide(p, relevance, z, stabilizer);
        return p.add(p.mul(xPos, layer.transposed(wa, s)), p.mul(xNeg, layer.transposed(wb, s)));
    }
}
