package io.lrpsidecar.engine.rules;

import static io.lrpsidecar.engine.reference.TensorMath.add;
import static io.lrpsidecar.engine.reference.TensorMath.multiply;
import static io.lrpsidecar.engine.reference.TensorMath.negative;
import static io.lrpsidecar.engine.reference.TensorMath.positive;
import static io.lrpsidecar.engine.reference.TensorMath.stabilizedRatio;
import static io.lrpsidecar.engine.reference.TensorMath.zerosLike;

import io.lrpsidecar.engine.layer.Layer;
import io.lrpsidecar.graph.Tensor;

/**
 * The building block of z+ and alpha-beta: the relevance carried by one sign of the contributions,
 * <pre>
 *   z_j = f(x+; Wa, ba)_j + f(x-; Wb, 0)_j,   s_j = R_j / stab(z_j)
 *   R_i = x+_i (Wa^T s)_i + x-_i (Wb^T s)_i
 * </pre>
 * with {@code (Wa, Wb, ba) = (W+, W-, b+)} for the positive part and {@code (W-, W+, b-)} for the negative one.
 */
final class SignedContribution {
    private SignedContribution() {
    }

    static Tensor positivePart(Layer layer, Tensor relevance, double stabilizer) {
        return of(layer, relevance, positive(layer.weight()), negative(layer.weight()), positive(layer.bias()),
                stabilizer);
    }

    static Tensor negativePart(Layer layer, Tensor relevance, double stabilizer) {
        return of(layer, relevance, negative(layer.weight()), positive(layer.weight()), negative(layer.bias()),
                stabilizer);
    }

    private static Tensor of(Layer layer, Tensor relevance, Tensor wa, Tensor wb, Tensor ba, double stabilizer) {
        Tensor xPos = positive(layer.x());
        Tensor xNeg = negative(layer.x());
        Tensor z = add(layer.forward(xPos, wa, ba), layer.forward(xNeg, wb, zerosLike(ba)));
        Tensor s = stabilizedRatio(relevance, z, stabilizer);
        return add(multiply(xPos, layer.transposed(wa, s)), multiply(xNeg, layer.transposed(wb, s)));
    }
}
