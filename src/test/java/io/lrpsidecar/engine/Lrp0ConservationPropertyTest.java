package io.lrpsidecar.engine;

import static io.lrpsidecar.engine.PropertySupport.LRP0;
import static io.lrpsidecar.engine.PropertySupport.LRP0_LITERAL;
import static io.lrpsidecar.engine.PropertySupport.assertFinite;
import static io.lrpsidecar.engine.PropertySupport.explainer;
import static io.lrpsidecar.engine.PropertySupport.kind;
import static io.lrpsidecar.engine.PropertySupport.zeroDenominators;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.testing.RandomModels;
import io.lrpsidecar.testing.RandomModels.Options;
import io.lrpsidecar.testing.RandomModels.RandomModel;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conservation of LRP-0 on bias-free networks. On random models without biases and without BatchNorm, with ReLU
 * activations, max/average/global-average pools, residual sums, concatenations and reshapes, explained with epsilon 0
 * on every Conv/Dense and norm 0 on every average pool and residual sum (logit initialisation, predicted class):
 * <ul>
 *   <li>at every ledger entry, for every row of the batch, the relevance entering the layer equals the relevance it
 *       passes on, within 1e-9 relative;</li>
 *   <li>the input relevance of every row sums to the target logit, within 1e-9 relative.</li>
 * </ul>
 * The rules run with the stabilizer 1e-300 ({@link PropertySupport#LRP0}), which is bit-identical to 0 except that it
 * turns the {@code 0 / 0} of an exactly zero layer output into 0 instead of NaN; {@link
 * #tinyStabilizerIsLrp0WhereverLrp0IsDefined} checks exactly that against the literal
 * {@code linear=epsilon(0);avgpool=norm(0);sum=norm(0)}.
 */
class Lrp0ConservationPropertyTest {
    private static final double TOLERANCE = 1e-9;
    private static final int ROWS = 3;

    static LongStream seeds() {
        return PropertySupport.seeds(1_000, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyLayerAndTheWholeNetworkConserveRelevance(long seed) {
        Random random = new Random(seed);
        RandomModel model = RandomModels.build(random, Options.biasFreeRelu(kind(seed)));
        String what = "seed " + seed + " (" + model.describe() + ")";
        ExplainableModel explainable = model.load();
        Tensor input = model.randomInput(random, ROWS);

        Explanation explanation = explainer(explainable, LRP0).explain(input, new Target.Predicted(), InitMode.LOGIT);

        assertFinite(explanation, what);
        assertTrue(explanation.ledger().stream().anyMatch(entry -> entry.rule().startsWith("epsilon")),
                what + ": no layer got the epsilon rule");
        for (LedgerEntry entry : explanation.ledger()) {
            for (int row = 0; row < ROWS; row++) {
                double error = entry.relativeError(row);
                assertTrue(error <= TOLERANCE, what + ": layer " + entry.name() + " (" + entry.opType() + ", "
                        + entry.rule() + ") row " + row + " takes in " + entry.relevanceIn()[row] + " but passes on "
                        + entry.relevanceOut()[row] + " (relative error " + error + ")");
            }
        }
        for (int row = 0; row < ROWS; row++) {
            double logit = explanation.logit(row, explanation.targets()[row]);
            assertEquals(logit, explanation.initialRelevance()[row], 0, what + ": logit initialisation, row " + row);
            double error = explanation.conservationError(row);
            assertTrue(error <= TOLERANCE, what + ": row " + row + " input relevance sums to "
                    + explanation.relevanceSum(row) + ", target logit is " + logit + " (relative error " + error + ")");
        }
    }

    /**
     * Justifies {@link PropertySupport#LRP0}: on the bias-free models above and on ReLU models with biases, whenever
     * no Conv/Dense/average-pool/residual-sum output is exactly 0 for the input, the literal epsilon-0/norm-0
     * composite and the 1e-300 one give bit-identical relevance and ledgers; and the 1e-300 one is always finite.
     * At least a quarter of the cases must be comparable, so that the check is not vacuous.
     */
    @Test
    void tinyStabilizerIsLrp0WhereverLrp0IsDefined() {
        int compared = 0;
        int cases = 0;
        for (long seed : seeds().toArray()) {
            for (boolean biases : new boolean[] {false, true}) {
                Random random = new Random(seed);
                Options options = biases ? Options.relu(kind(seed), true) : Options.biasFreeRelu(kind(seed));
                RandomModel model = RandomModels.build(random, options);
                String what = "seed " + seed + (biases ? " with biases" : "") + " (" + model.describe() + ")";
                ExplainableModel explainable = model.load();
                Tensor input = model.randomInput(random, ROWS);
                ReferenceExplainer tiny = explainer(explainable, LRP0);
                Explanation tinyExplanation = tiny.explain(input, new Target.Predicted(), InitMode.LOGIT);
                assertFinite(tinyExplanation, what);
                cases++;
                if (!zeroDenominators(tiny, explainable, input).isEmpty()) {
                    continue;
                }
                compared++;
                Explanation literal = explainer(explainable, LRP0_LITERAL)
                        .explain(input, new Target.Predicted(), InitMode.LOGIT);
                assertArrayEquals(literal.relevance().doubles(), tinyExplanation.relevance().doubles(), 0,
                        what + ": relevance");
                for (int i = 0; i < literal.ledger().size(); i++) {
                    assertArrayEquals(literal.ledger().get(i).relevanceOut(),
                            tinyExplanation.ledger().get(i).relevanceOut(), 0,
                            what + ": ledger of " + literal.ledger().get(i).name());
                }
            }
        }
        assertTrue(compared * 4 >= cases, "only " + compared + " of " + cases
                + " cases had no exactly zero denominator; the comparison is too thin");
    }
}
