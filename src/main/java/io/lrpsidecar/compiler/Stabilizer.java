package io.lrpsidecar.compiler;

/** Emits zennit's stabilized division {@code R / (z + eps * sign0(z))} with {@code sign0(0) = +1}. */
final class Stabilizer {
    private Stabilizer() {
    }

    /** {@code z + Where(z >= 0, eps, -eps)}: three elementwise passes. */
    static String stabilize(GraphBuilder builder, String z, double epsilon, String hint) {
        String nonNegative = builder.op("GreaterOrEqual", hint + "_ge0", z, builder.scalar("zero", 0));
        String signedEpsilon = builder.op("Where", hint + "_signed_eps", nonNegative, builder.scalar("eps", epsilon),
                builder.scalar("minus_eps", -epsilon));
        return builder.op("Add", hint + "_stab", z, signedEpsilon);
    }

    static String divide(GraphBuilder builder, String relevance, String z, double epsilon, String hint) {
        return builder.op("Div", hint + "_s", relevance, stabilize(builder, z, epsilon, hint));
    }
}
