package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.testing.RandomTransformers;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random transformer stacks (tokens or features, 1-4 heads, depth 1-3, pre- or post-norm, decomposed or fused
 * LayerNorm, padding masks) load with every decomposition fused, and every transformer composite gives finite
 * relevance of the input's shape, exactly 0 at padding tokens when the output reads the first token only (a mean over
 * all tokens reads the padding positions' hidden states, so they carry relevance there, as in LXT); AttnLRP's per-node ledger is conserved where its rules
 * conserve (permutations).
 */
class RandomTransformersTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 24);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyTransformerCompositeExplainsRandomStacks(long seed) {
        Random random = new Random(seed);
        RandomTransformers.Options options = RandomTransformers.Options.random(random);
        RandomTransformers built = RandomTransformers.build(random, options);
        ExplainableModel model = ExplainableModel.prepare(built.graph(), true);
        String what = "seed " + seed + " (" + options + ")";
        assertTrue(model.graph().nodes().stream().map(Node::opType).noneMatch(type -> type.equals("Erf")
                || type.equals("Pow") || type.equals("Sqrt")), what + ": every decomposition is fused");
        Tensor input = built.randomInput(random, 3);
        for (String spec : new String[] {"attnlrp", "cp-lrp", "gradient-x-input", "epsilon"}) {
            Explanation explanation = new ReferenceExplainer(model, new CompositeParser(file -> null).parse(spec))
                    .explain(input, new Target.Predicted(), InitMode.ONEHOT);
            assertArrayEquals(input.shape(), explanation.relevance().shape(), what + " " + spec);
            double[] relevance = explanation.relevance().doubles();
            for (int i = 0; i < relevance.length; i++) {
                assertTrue(Double.isFinite(relevance[i]), what + " " + spec + ": element " + i);
                if (built.tokens() && !options.meanPooling() && input.longs()[i] == 0) {
                    assertEquals(0.0, relevance[i], 0.0, what + " " + spec + ": padding token " + i);
                }
            }
            for (LedgerEntry layer : explanation.ledger()) {
                if (layer.opType().equals("Transpose") || layer.opType().equals("Reshape")) {
                    for (int row = 0; row < 3; row++) {
                        assertEquals(layer.relevanceIn()[row], layer.relevanceOut()[row],
                                1e-9 * Math.max(1, Math.abs(layer.relevanceIn()[row])), what + " " + layer.name());
                    }
                }
            }
        }
    }
}
