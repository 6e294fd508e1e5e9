package io.lrpsidecar.engine.rule;

import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.List;

/**
 * The norm rule for parameter-free layers (average pools, the residual sum), with {@code f} the layer's own
 * function:
 * <pre>
 *   R_i = x_i * (J_f^T (R / stabilize(f(x))))_i
 * </pre>
 * For an average pool the stabilizer acts on the mean; for a residual sum {@code a + b} it gives
 * {@code R_a = a R / stab(a + b)} and {@code R_b = b R / stab(a + b)}; an operand that carries no relevance (an
 * attention mask added to the scores) receives none, so its share is absorbed. With LXT's unsigned stabilizer
 * ({@code sign=none}, eps 1e-8) this is AttnLRP's {@code add2} rule. zennit {@code zennit.rules.Norm}; Anders et al.,
 * arXiv:2106.13200, 2021; Achtibat et al., "AttnLRP", ICML 2024.
 *
 * @param stabilizer the denominator stabilizer (zennit default 1e-6)
 * @param form       zennit's signed stabilizer or LXT's unsigned one
 */
public record NormRule(double stabilizer, Stabilizer form) implements Rule {

    /** zennit's norm rule. */
    public NormRule(double stabilizer) {
        this(stabilizer, Stabilizer.ZENNIT);
    }

    @Override
    public String name() {
        return "norm";
    }

    @Override
    public String spec() {
        return "norm(stabilizer=" + Specs.number(stabilizer) + (form == Stabilizer.LXT ? ",sign=none" : "") + ")";
    }

    @Override
    public boolean appliesTo(OpKind kind) {
        return kind == OpKind.AVGPOOL || kind == OpKind.SUM || kind == OpKind.MEAN;
    }

    @Override
    public <T> List<T> propagate(Primitives<T> p, Layer<T> layer, List<T> relevance) {
        T s = form.divide(p, relevance.get(0), layer.output(), stabilizer);
        return layer.timesInputs(p, layer.vjp(layer.inputs(), List.of(s)));
    }
}
