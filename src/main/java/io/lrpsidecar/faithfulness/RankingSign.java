package io.lrpsidecar.faithfulness;

import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.rule.GradientRule;

/**
 * Which way relevance is read when regions are ranked. Regions are ranked by their contribution to the target's
 * logit: LRP composites give it when they start from the logit ({@link InitMode#LOGIT}: the relevance sums to about
 * the logit, positive where a region raised it), the gradient and gradient × input when they start from 1 (they are
 * the logit's derivative already; scaled by the logit they would rank backwards wherever the logit is negative).
 * Relevance computed with the other initialisation differs from the contribution by the factor {@code s_t} or
 * {@code 1/s_t}, so its ranking is multiplied by the sign of the target logit.
 */
public final class RankingSign {
    private RankingSign() {
    }

    /** The initialisation whose relevance is the contribution to the logit: 1 for gradient-only composites. */
    public static InitMode contributionInit(Composite composite) {
        boolean gradientOnly = composite.firstRule() == null && composite.opRules().isEmpty()
                && composite.nodeRules().isEmpty()
                && composite.kindRules().values().stream().allMatch(rule -> rule instanceof GradientRule);
        return gradientOnly ? InitMode.ONEHOT : InitMode.LOGIT;
    }

    /**
     * The factor applied to region scores of relevance computed with {@code init}: 1 when that is the contribution
     * initialisation, else the sign of the target logit (0 when the logit is 0, which ties every region).
     */
    public static double of(Composite composite, InitMode init, double targetLogit) {
        return init == contributionInit(composite) ? 1 : Math.signum(targetLogit);
    }
}
