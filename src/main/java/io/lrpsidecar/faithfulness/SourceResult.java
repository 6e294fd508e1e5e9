package io.lrpsidecar.faithfulness;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The faithfulness of one relevance source (a composite, gradient × input, or the random control) over the rows.
 *
 * @param name   the source, such as {@code epsilon-plus-flat} or {@code random}
 * @param curves the curves by order label ({@code morf}, {@code lerf}; {@code random} and {@code random-reversed}
 *               for the control), each with one curve per row
 * @param rows   each row's scores, when both orders were drawn
 */
public record SourceResult(String name, Map<String, List<TargetCurve>> curves, Optional<List<RowScores>> rows) {

    /** The summary of one score over the rows, such as {@link RowScores#abpc}. */
    public Optional<Estimate> estimate(java.util.function.ToDoubleFunction<RowScores> score) {
        return rows.map(list -> Estimate.of(list.stream().mapToDouble(score).toArray()));
    }

    /** AOPC of an order's curves over the rows, on the probability or the logit. */
    public Optional<Estimate> aopc(String order, boolean logit) {
        List<TargetCurve> list = curves.get(order);
        if (list == null) {
            return Optional.empty();
        }
        return Optional.of(Estimate.of(list.stream()
                .mapToDouble(curve -> TargetCurve.aopc(logit ? curve.logits() : curve.probabilities())).toArray()));
    }

    /** The mean curve of an order over the rows, point by point. */
    public double[] meanCurve(String order, boolean logit) {
        List<TargetCurve> list = curves.get(order);
        double[] mean = new double[list.get(0).logits().length];
        for (TargetCurve curve : list) {
            double[] values = logit ? curve.logits() : curve.probabilities();
            for (int k = 0; k < mean.length; k++) {
                mean[k] += values[k] / list.size();
            }
        }
        return mean;
    }
}
