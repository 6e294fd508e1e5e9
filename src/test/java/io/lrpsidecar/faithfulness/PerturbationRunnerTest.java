package io.lrpsidecar.faithfulness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Curves of a linear model, logits {@code [w·x, 0]}, where every point is known by hand: with x all ones and
 * {@code w = (4, 3, 2, 1)}, removing features in MoRF order leaves 10, 6, 3, 1, 0.
 */
class PerturbationRunnerTest {
    private static final double[] WEIGHTS = {4, 3, 2, 1};

    private static double[][] linear(Tensor inputs) {
        double[] values = inputs.asDoubles();
        double[][] logits = new double[inputs.dim(0)][2];
        for (int row = 0; row < logits.length; row++) {
            for (int i = 0; i < WEIGHTS.length; i++) {
                logits[row][0] += WEIGHTS[i] * values[row * WEIGHTS.length + i];
            }
        }
        return logits;
    }

    private static Tensor ones(int rows) {
        double[] values = new double[rows * 4];
        java.util.Arrays.fill(values, 1);
        return Tensor.of(new int[] {rows, 4}, values);
    }

    @Test
    void curvesAreasAndScoresOfALinearModel() {
        CurveSettings settings = new CurveSettings(20, RegionSpec.SINGLE, new Baseline.Zero(), 1, 100);
        Map<String, Tensor> relevance = new LinkedHashMap<>();
        relevance.put("w", Tensor.of(new int[] {1, 4}, WEIGHTS.clone()));
        List<SourceResult> results = new FaithfulnessEvaluator(PerturbationRunnerTest::linear, settings)
                .evaluate(ones(1), new int[] {0}, relevance, Set.of(Order.MORF, Order.LERF));
        TargetCurve morf = results.get(0).curves().get("morf").get(0);
        TargetCurve lerf = results.get(0).curves().get("lerf").get(0);
        assertArrayEquals(new double[] {10, 6, 3, 1, 0}, morf.logits(), 0);
        assertArrayEquals(new double[] {10, 9, 7, 4, 0}, lerf.logits(), 0);
        assertEquals(1 / (1 + Math.exp(-6)), morf.probabilities()[1], 1e-15);
        RowScores scores = results.get(0).rows().orElseThrow().get(0);
        assertEquals(6 - 4, scores.abpcLogit(), 1e-12);
        assertEquals(10 - 4, scores.aopcMorfLogit(), 1e-12);
        assertEquals(10 - 6, scores.aopcLerfLogit(), 1e-12);
        double[] p = java.util.Arrays.stream(morf.logits()).map(z -> 1 / (1 + Math.exp(-z))).toArray();
        double[] q = java.util.Arrays.stream(lerf.logits()).map(z -> 1 / (1 + Math.exp(-z))).toArray();
        assertEquals(TargetCurve.area(q) - TargetCurve.area(p), scores.abpc(), 1e-15);
    }

    @Test
    void fewerStepsThanRegionsPerturbFloorOfKnOverL() {
        CurveSettings settings = new CurveSettings(2, RegionSpec.SINGLE, new Baseline.Zero(), 1, 100);
        List<TargetCurve> curves = new PerturbationRunner(PerturbationRunnerTest::linear, settings).run(ones(1),
                new int[] {0}, List.of(new CurveRequest(0, "morf", new int[] {0, 1, 2, 3})));
        assertArrayEquals(new double[] {10, 3, 0}, curves.get(0).logits(), 0);
        CurveSettings three = new CurveSettings(3, RegionSpec.SINGLE, new Baseline.Zero(), 1, 100);
        List<TargetCurve> thirds = new PerturbationRunner(PerturbationRunnerTest::linear, three).run(ones(1),
                new int[] {0}, List.of(new CurveRequest(0, "morf", new int[] {0, 1, 2, 3})));
        // k = 1, 2, 3 perturb floor(4/3) = 1, floor(8/3) = 2 and 4 regions
        assertArrayEquals(new double[] {10, 6, 3, 0}, thirds.get(0).logits(), 0);
    }

    @Test
    void runsFillUpAcrossStepsAndNeverExceedTheBatchLimit() {
        List<Integer> runs = new ArrayList<>();
        ForwardModel counting = inputs -> {
            runs.add(inputs.dim(0));
            return linear(inputs);
        };
        int[] order = {0, 1, 2, 3};
        List<CurveRequest> requests = List.of(new CurveRequest(0, "a", order), new CurveRequest(0, "b", order),
                new CurveRequest(1, "a", order), new CurveRequest(1, "b", order));
        new PerturbationRunner(counting, new CurveSettings(4, RegionSpec.SINGLE, new Baseline.Zero(), 1, 4))
                .run(ones(2), new int[] {0, 0}, requests);
        // each row's two ends (unperturbed, fully perturbed) once for both of its curves, then the three inner
        // steps of the four curves: 2 x 2 + 3 x 4 = 16 rows, never more than 4 a run
        assertEquals(List.of(4, 4, 4, 4), runs);
        runs.clear();
        new PerturbationRunner(counting, new CurveSettings(4, RegionSpec.SINGLE, new Baseline.Zero(), 1, 3))
                .run(ones(2), new int[] {0, 0}, requests);
        assertEquals(List.of(3, 3, 3, 3, 3, 1), runs);
    }
}
