package io.lrpsidecar.engine.rule;

import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;

/**
 * The building block of z+ and alpha-beta: the relevance carried by one sign of the contributions,
 * <pre>
 *   z_j = f(x+; Wa, ba)_j + f(x-; Wb, 0)_j,   s_j = R_j / stab(z_j)
 *   R_i = x+_i (Wa^T s)_i + x-_i (Wb^T s)_i
 * </pre>
 * with {@code (Wa, Wb, ba) = (W+, W-, b+)} for the positive part and {@code (W-, W+, b-)} for the negative one.
 */
final class SignedContribution {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    private SignedContribution() {
    }

    static Tensor positivePart(Layer layer, Tensor relevance, double stabilizer) {
        return of(layer, relevance, P.unary(POSITIVE, layer.weight()), P.unary(NEGATIVE, layer.weight()),
                P.unary(POSITIVE, layer.bias()), stabilizer);
    }

    static Tensor negativePart(Layer layer, Tensor relevance, double stabilizer) {
        return of(layer, relevance, P.unary(NEGATIVE, layer.weight()), P.unary(POSITIVE, layer.weight()),
                P.unary(NEGATIVE, layer.bias()), stabilizer);
    }

    private static Tensor of(Layer layer, Tensor relevance, Tensor wa, Tensor wb, Tensor ba, double stabilizer) {
        Tensor xPos = P.unary(POSITIVE, layer.x());
        Tensor xNeg = P.unary(NEGATIVE, layer.x());
        Tensor z = P.add(layer.forward(xPos, wa, ba), layer.forward(xNeg, wb, P.zerosLike(ba)));
        Tensor s = Stabilizer.ZENNIT.divide(P, relevance, z, stabilizer);
        return P.add(P.mul(xPos, layer.transposed(wa, s)), P.mul(xNeg, layer.transposed(wb, s)));
    }
}
