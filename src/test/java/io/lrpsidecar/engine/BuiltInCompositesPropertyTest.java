package io.lrpsidecar.engine;

import static io.lrpsidecar.engine.PropertySupport.assertFinite;
import static io.lrpsidecar.engine.PropertySupport.explainer;
import static io.lrpsidecar.engine.PropertySupport.kind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.testing.RandomModels;
import io.lrpsidecar.testing.RandomModels.Options;
import io.lrpsidecar.testing.RandomModels.RandomModel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in composite runs on every kind of generated model without producing NaN or infinities. On 30 random
 * models with everything the builder can make (biases, all activations, standalone and merged BatchNorm, input
 * normalisation by constants, every window op), each built-in composite explains a batch of inputs
 * <ul>
 *   <li>for the predicted class with logit initialisation, and</li>
 *   <li>for a fixed class ({@link Target.ClassIndex}, every class of the model in turn) with one-hot
 *       initialisation,</li>
 * </ul>
 * and the logits, the input relevance and every ledger entry are finite, the relevance has the input's shape, and the
 * targets are the ones asked for. The box bounds of {@code epsilon-gamma-box} are [-3, 3]: inputs are drawn from
 * [-1, 1] and the optional normalisation layer maps them into [-3, 3] (a standalone BatchNorm in front of the first
 * convolution can still move values outside the box, which the rules must survive as well).
 */
class BuiltInCompositesPropertyTest {
    private static final int ROWS = 2;

    /** The built-in composites with the parameters they need. */
    static final List<String> COMPOSITES = List.of("epsilon", "zplus", "epsilon-plus", "epsilon-plus-flat",
            "epsilon-alpha2-beta1", "epsilon-alpha2-beta1-flat", "epsilon-gamma-box(low=-3,high=3)", "attnlrp",
            "cp-lrp", "gradient", "gradient-x-input");

    static LongStream seeds() {
        return PropertySupport.seeds(4_000, 30);
    }

    @Test
    void theListNamesEveryBuiltIn() {
        List<String> names = COMPOSITES.stream().map(spec -> spec.replaceAll("\\(.*", "")).toList();
        assertEquals(CompositeParser.BUILT_INS, names);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyBuiltInCompositeGivesFiniteRelevanceAndLedgers(long seed) {
        Random random = new Random(seed);
        RandomModel model = RandomModels.build(random, Options.everything(kind(seed)));
        ExplainableModel explainable = model.load();
        Tensor input = model.randomInput(random, ROWS);
        for (String composite : COMPOSITES) {
            String what = "seed " + seed + ", " + composite + " (" + model.describe() + ")";
            var explainer = explainer(explainable, composite);

            Explanation predicted = explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
            assertFinite(predicted, what + ", predicted class");
            assertArrayEquals(input.shape(), predicted.relevance().shape(), what + ": relevance shape");
            assertTrue(!predicted.ledger().isEmpty(), what + ": empty ledger");

            for (int k = 0; k < model.classes(); k++) {
                Explanation fixed = explainer.explain(input, new Target.ClassIndex(k), InitMode.ONEHOT);
                String forClass = what + ", class " + k;
                assertFinite(fixed, forClass);
                int expectedClass = k;
                assertTrue(Arrays.stream(fixed.targets()).allMatch(target -> target == expectedClass),
                        forClass + ": targets " + Arrays.toString(fixed.targets()));
                assertTrue(Arrays.stream(fixed.initialRelevance()).allMatch(start -> start == 1),
                        forClass + ": one-hot start " + Arrays.toString(fixed.initialRelevance()));
            }
        }
    }
}
