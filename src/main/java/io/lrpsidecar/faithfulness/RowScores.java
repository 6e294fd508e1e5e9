package io.lrpsidecar.faithfulness;

/**
 * One row's faithfulness under one relevance order, from its MoRF and LeRF curves (or the random control's order and
 * its reverse).
 *
 * @param abpc             area between the curves on the target's probability: {@code area(LeRF) − area(MoRF)}
 *                         (Blücher et al. 2024, "symmetric relevance gain"); higher is more faithful, 0 is no better
 *                         than chance, and it lies in [−1, 1]
 * @param abpcLogit        the same on the target's logit
 * @param aopcMorf         AOPC of the MoRF curve on the probability (Samek et al. 2017): the mean drop from the
 *                         unperturbed input; higher is better
 * @param aopcLerf         AOPC of the LeRF curve on the probability; lower is better
 * @param aopcMorfLogit    AOPC of the MoRF curve on the logit
 * @param aopcLerfLogit    AOPC of the LeRF curve on the logit
 */
public record RowScores(double abpc, double abpcLogit, double aopcMorf, double aopcLerf, double aopcMorfLogit,
        double aopcLerfLogit) {

    /** The scores of a row from its two curves. */
    public static RowScores of(TargetCurve morf, TargetCurve lerf) {
        return new RowScores(
                TargetCurve.area(lerf.probabilities()) - TargetCurve.area(morf.probabilities()),
                TargetCurve.area(lerf.logits()) - TargetCurve.area(morf.logits()),
                TargetCurve.aopc(morf.probabilities()), TargetCurve.aopc(lerf.probabilities()),
                TargetCurve.aopc(morf.logits()), TargetCurve.aopc(lerf.logits()));
    }
}
