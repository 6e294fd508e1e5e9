package io.lrpsidecar.compiler;

/** Emits zennit's stabilized division {@code R / (z + eps * sign0(z))} with {@code sign0(0) = +1}. */
final class Stabilizer {
    private Stabilizer() {
    }

    static String stabilize(GraphBuilder builder, String z, double epsilon, String hint) {
        String nonNegative = builder.op("GreaterOrEqual", hint + "_ge0", z, builder.scalar("zero", 0));
        return builder.op("Where", hint + "_stab", nonNegative,
                builder.op("Add", hint + "_plus", z, builder.scalar("eps", epsilon)),
                builder.op("Sub", hint + "_minus", z, builder.scalar("eps", epsilon)));
    }

    static String divide(GraphBuilder builder, String relevance, String z, double epsilon, String hint) {
        return builder.op("Div", hint + "_s", relevance, stabilize(builder, z, epsilon, hint));
    }
}
