package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Relevance through nodes with two carrying inputs: an elementwise product of two activations ({@code Mul}, kind
 * {@code PRODUCT}), a MatMul of two activations ({@code MATMUL}), fan-out into both, and a mask computed from the input
 * that must carry nothing. On seeded random models without biases:
 * <ul>
 *   <li>the gradient composite gives every product input its own vector-Jacobian product, so gradient x input equals
 *       the input times the finite-difference gradient;</li>
 *   <li>with the bilinear rule at eps 0 on the MatMul, the uniform split on the Mul and LRP-0 on the dense layers,
 *       every node conserves, so each row's input relevance sums to its target logit.</li>
 * </ul>
 */
class NaryRelevanceTest {
    private static final int FEATURES = 6;

    /** {@code x -> (W1 x) * (W2 x) -> reshape [3, 2] @ reshape(W3 x) [2, 3] -> flatten -> Dense -> logits}. */
    private static Graph productModel(long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
        weights.put("W1", gaussian(random, FEATURES, FEATURES));
        weights.put("W2", gaussian(random, FEATURES, FEATURES));
        weights.put("W3", gaussian(random, FEATURES, FEATURES));
        weights.put("W4", gaussian(random, 9, 3));
        weights.put("left_shape", Tensor.ofLongs(new int[] {3}, new long[] {0, 3, 2}));
        weights.put("right_shape", Tensor.ofLongs(new int[] {3}, new long[] {0, 2, 3}));
        weights.put("flat_shape", Tensor.ofLongs(new int[] {2}, new long[] {0, 9}));
        weights.put("zero", Tensor.scalar(0));
        List<Node> nodes = new ArrayList<>(List.of(
                Node.of("fc1", "MatMul", List.of("x", "W1"), List.of("h1"), Attributes.NONE),
                Node.of("fc2", "MatMul", List.of("x", "W2"), List.of("h2"), Attributes.NONE),
                Node.of("fc3", "MatMul", List.of("x", "W3"), List.of("h3"), Attributes.NONE),
                Node.of("gate", "Mul", List.of("h1", "h2"), List.of("g"), Attributes.NONE),
                Node.of("is_zero", "Equal", List.of("x", "zero"), List.of("mask_bool"), Attributes.NONE),
                Node.of("mask", "Cast", List.of("mask_bool"), List.of("mask_float"),
                        new Attributes(Map.of("to", (long) ElementType.FLOAT.onnxCode()))),
                Node.of("masked", "Add", List.of("g", "mask_float"), List.of("gm"), Attributes.NONE),
                Node.of("left", "Reshape", List.of("gm", "left_shape"), List.of("a"), Attributes.NONE),
                Node.of("right", "Reshape", List.of("h3", "right_shape"), List.of("b"), Attributes.NONE),
                Node.of("bilinear", "MatMul", List.of("a", "b"), List.of("c"), Attributes.NONE),
                Node.of("flatten", "Reshape", List.of("c", "flat_shape"), List.of("f"), Attributes.NONE),
                Node.of("head", "MatMul", List.of("f", "W4"), List.of("logits"), Attributes.NONE)));
        return new Graph("products", 14, nodes, weights,
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, FEATURES))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 3))), Map.of());
    }

    private static Tensor gaussian(Random random, int... shape) {
        double[] values = new double[shape[0] * shape[1]];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian() / Math.sqrt(shape[0]);
        }
        return Tensor.of(shape, values);
    }

    private static Tensor row(Random random) {
        double[] values = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            values[i] = 0.5 + random.nextDouble();
        }
        return Tensor.of(new int[] {1, FEATURES}, values);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void gradientTimesInputMatchesFiniteDifferences(long seed) {
        ExplainableModel model = ExplainableModel.prepare(productModel(seed), true);
        assertEquals(OpKind.PRODUCT, model.views().get("gate").kind());
        assertEquals(OpKind.MATMUL, model.views().get("bilinear").kind());
        assertTrue(model.views().get("masked").carries(0));
        assertTrue(!model.views().get("masked").carries(1), "the mask computed from x carries no relevance");
        ReferenceExplainer explainer = new ReferenceExplainer(model,
                new CompositeParser(file -> null).parse("gradient-x-input"));
        Tensor x = row(new Random(seed + 100));
        FiniteDifferences.Result differences = FiniteDifferences.at(explainer, model.logits(), x);
        int target = differences.predicted();

        Explanation explanation = explainer.explain(x, new Target.ClassIndex(target), InitMode.ONEHOT);

        for (int i = 0; i < FEATURES; i++) {
            double expected = x.doubles()[i] * differences.gradient()[target][i];
            assertEquals(expected, explanation.relevance().doubles()[i], 1e-6 * Math.max(1, Math.abs(expected)),
                    "seed " + seed + ", feature " + i);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void bilinearAndUniformRulesConserve(long seed) {
        ExplainableModel model = ExplainableModel.prepare(productModel(seed), true);
        var composite = new CompositeParser(file -> null).parse(
                "dense=epsilon(0,sign=none);matmul=bilinear(0);product=uniform;sum=norm(0,sign=none)");
        ReferenceExplainer explainer = new ReferenceExplainer(model, composite);
        Tensor x = row(new Random(seed + 200));

        Explanation explanation = explainer.explain(x, new Target.Predicted(), InitMode.LOGIT);

        assertEquals(explanation.initialRelevance()[0], explanation.relevanceSum(0),
                1e-9 * Math.max(1, Math.abs(explanation.initialRelevance()[0])), "seed " + seed);
        for (LedgerEntry layer : explanation.ledger()) {
            assertEquals(layer.relevanceIn()[0], layer.relevanceOut()[0], 1e-9 * Math.max(1,
                    Math.abs(layer.relevanceIn()[0])), layer.name() + " conserves");
        }
        assertNull(explanation.valueRelevanceSums().get("mask_float"), "no relevance reaches the mask");
    }
}
