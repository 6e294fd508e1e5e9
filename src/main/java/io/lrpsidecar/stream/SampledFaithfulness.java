package io.lrpsidecar.stream;

import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.events.v1.Faithfulness;
import io.lrpsidecar.faithfulness.CurveRequest;
import io.lrpsidecar.faithfulness.CurveSettings;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.ForwardModel;
import io.lrpsidecar.faithfulness.Order;
import io.lrpsidecar.faithfulness.PerturbationRunner;
import io.lrpsidecar.faithfulness.RankingSign;
import io.lrpsidecar.faithfulness.Regions;
import io.lrpsidecar.faithfulness.RowScores;
import io.lrpsidecar.faithfulness.TargetCurve;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The faithfulness of a flushed batch's sampled rows: for each, the regions ranked by the explanation's relevance most
 * relevant first (MoRF) and least relevant first (LeRF), both curves drawn on the explained class by one
 * {@link PerturbationRunner}, so all perturbed rows of the flush go to the model's forward pass together. The scores
 * are those of {@link FaithfulnessEvaluator} for the same rows and settings. The stream explains from the target
 * logit ({@link InitMode#LOGIT}); regions are ranked by the contribution to the logit ({@link RankingSign}), as
 * {@code lrp evaluate} ranks them. The caller leaves contrastive rows out: their relevance is a difference of two
 * classes' and does not rank one class's regions.
 */
final class SampledFaithfulness {
    private SampledFaithfulness() {
    }

    /**
     * The scores of {@code rows} of a batch, by row.
     *
     * @param input       the batch's input {@code [rows, ...]}
     * @param explanation the batch's explanation (relevance and targets)
     * @param rows        the sampled rows, each once
     */
    static Map<Integer, Faithfulness> measure(ForwardModel forward, FaithfulnessSampling sampling, Tensor input,
            Composite composite, Explanation explanation, List<Integer> rows) {
        CurveSettings settings = sampling.curveSettings();
        PerturbationRunner runner = new PerturbationRunner(forward, settings);
        Regions regions = runner.regions(input);
        int rowSize = input.size() / input.dim(0);
        double[] relevance = explanation.relevance().doubles();
        List<CurveRequest> requests = new ArrayList<>(2 * rows.size());
        for (int row : rows) {
            double[] scores = regions.scores(relevance, row * rowSize);
            double sign = RankingSign.of(composite, InitMode.LOGIT, explanation.logit(row, explanation.targets()[row]));
            for (int i = 0; i < scores.length; i++) {
                if (!Double.isFinite(scores[i])) {
                    throw new IllegalArgumentException("the relevance of row " + row + " sums to " + scores[i]
                            + " in region " + i + "; expected finite values to rank regions by");
                }
                scores[i] *= sign;
            }
            requests.add(new CurveRequest(row, FaithfulnessEvaluator.label(Order.MORF), Order.MORF.rank(scores)));
            requests.add(new CurveRequest(row, FaithfulnessEvaluator.label(Order.LERF), Order.LERF.rank(scores)));
        }
        List<TargetCurve> curves = runner.run(input, explanation.targets(), requests);
        int steps = settings.stepsFor(regions.count());
        Map<Integer, Faithfulness> byRow = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            RowScores scores = RowScores.of(curves.get(2 * i), curves.get(2 * i + 1));
            byRow.put(rows.get(i), Faithfulness.newBuilder().setAbpc(scores.abpc()).setAbpcLogit(scores.abpcLogit())
                    .setAopcMorf(scores.aopcMorf()).setAopcLerf(scores.aopcLerf()).setSteps(steps)
                    .setRegion(sampling.region().toString()).setBaseline(sampling.baseline().describe()).build());
        }
        return byRow;
    }
}
