package io.lrpsidecar.engine.rule;

/**
 * A rule that reads a layer as {@code f(x; W, b)} ({@link LinearLayer}): it applies to Conv and Dense nodes with a
 * constant weight and bias only, so it cannot be given to a MatMul of two activations.
 */
interface LinearLayerRule extends Rule {

    @Override
    default boolean appliesTo(OpKind kind) {
        return kind.isLinear();
    }

    @Override
    default boolean appliesTo(NodeView view) {
        return LinearLayer.fits(view);
    }
}
