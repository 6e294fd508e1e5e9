package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.engine.op.Ops;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.array;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.assertClose;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.editNode;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.model;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.onlyNode;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.opCounts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** PyTorch's opset-14 LayerNorm decomposition becomes one LayerNormalization that computes what PyTorch computed. */
class LayerNormPatternTest {
    private static final List<RewritePattern> LAYER_NORM = List.of(new LayerNormPattern());

    @Test
    void affineLayerNormBecomesOneLayerNormalizationWithTheModulesWeights() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(model("layernorm_affine"), LAYER_NORM, Ops::shapeRule);

        assertEquals(Map.of("LayerNormalization", 1), opCounts(rewritten.graph()));
        Node fused = onlyNode(rewritten.graph(), "LayerNormalization");
        assertEquals(List.of("input", "weight", "bias"), fused.inputs());
        assertEquals(List.of("output"), fused.outputs());
        assertEquals("", fused.domain());
        assertEquals(-1, fused.attributes().getInt("axis", 0));
        assertEquals((float) 1e-5, (float) fused.attributes().getFloat("epsilon", 0));
        Fusion fusion = rewritten.fusions().get(0);
        assertEquals(List.of(new Fusion("LayerNorm", "/LayerNormalization", "LayerNormalization", List.of(
                replaced("/ReduceMean", "ReduceMean"), replaced("/Sub", "Sub"), replaced("/Pow", "Pow"),
                replaced("/ReduceMean_1", "ReduceMean"), replaced("/Add", "Add"), replaced("/Sqrt", "Sqrt"),
                replaced("/Div", "Div"), replaced("/Mul", "Mul"), replaced("/Add_1", "Add")))),
                rewritten.fusions(), fusion.describe());
        assertClose(array("layernorm_affine", "output"),
                FusedOpFormulas.apply(rewritten.graph(), fused, array("layernorm_affine", "input")));
        assertArrayEquals(new int[] {3, 4, 8}, ShapeInference.infer(rewritten.graph(), 3, Ops::shapeRule).get("output"));
    }

    @Test
    void layerNormWithoutAffineGetsUnitScaleAndZeroBiasOfTheNormalizedSize() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(model("layernorm_plain"), LAYER_NORM, Ops::shapeRule);

        assertEquals(Map.of("LayerNormalization", 1), opCounts(rewritten.graph()));
        Node fused = onlyNode(rewritten.graph(), "LayerNormalization");
        assertEquals(List.of("ReduceMean", "Sub", "Pow", "ReduceMean", "Add", "Sqrt", "Div"),
                rewritten.fusions().get(0).replacedOpTypes());
        assertEquals(Tensor.filled(new int[] {8}, 1), rewritten.graph().initializers().get(fused.input(1)));
        assertEquals(Tensor.zeros(new int[] {8}), rewritten.graph().initializers().get(fused.input(2)));
        assertEquals((float) 1e-6, (float) fused.attributes().getFloat("epsilon", 0));
        assertClose(array("layernorm_plain", "output"),
                FusedOpFormulas.apply(rewritten.graph(), fused, array("layernorm_plain", "input")));
    }

    @Test
    void axesGivenAsAnInputAsAtOpset18AreAccepted() {
        Graph graph = model("layernorm_affine");
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        initializers.put("axes", Tensor.ofLongs(new int[] {1}, new long[] {-1}));
        UnaryOperator<Node> axesAsInput = node -> new Node(node.name(), node.opType(), node.domain(),
                List.of(node.input(0), "axes"), node.outputs(), node.attributes().without("axes"));
        Graph opset18 = editNode(editNode(graph.with(graph.nodes(), initializers), "/ReduceMean", axesAsInput),
                "/ReduceMean_1", axesAsInput);

        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(opset18, LAYER_NORM, Ops::shapeRule);

        assertEquals(Map.of("LayerNormalization", 1), opCounts(rewritten.graph()));
        Node fused = onlyNode(rewritten.graph(), "LayerNormalization");
        assertClose(array("layernorm_affine", "output"),
                FusedOpFormulas.apply(rewritten.graph(), fused, array("layernorm_affine", "input")));
    }

    @Test
    void aNonNegativeLastAxisIsResolvedWithTheInputRank() {
        UnaryOperator<Node> axisTwo = node -> node.withAttributes(node.attributes().with("axes", new long[] {2}));
        Graph graph = editNode(editNode(model("layernorm_affine"), "/ReduceMean", axisTwo), "/ReduceMean_1",
                axisTwo);

        Node fused = onlyNode(PatternRewriter.rewrite(graph, LAYER_NORM, Ops::shapeRule).graph(), "LayerNormalization");

        assertEquals(-1, fused.attributes().getInt("axis", 0));
    }

    @Test
    void anIntermediateReadOutsideThePatternIsNotFused() {
        for (String intermediate : List.of("/ReduceMean_output_0", "/Sub_output_0", "/Pow_output_0",
                "/Add_output_0", "/Sqrt_output_0")) {
            assertNotFused(RewriteFixtures.withExtraReader(model("layernorm_affine"), intermediate));
            assertNotFused(RewriteFixtures.withExtraOutput(model("layernorm_affine"), intermediate));
        }
    }

    @Test
    void aNormalizedValueReadOutsideTheAffineStepsLeavesThemOutsideTheFusion() {
        Graph normalizedRead = RewriteFixtures.withExtraReader(model("layernorm_affine"), "/Div_output_0");
        Graph scaledRead = RewriteFixtures.withExtraReader(model("layernorm_affine"), "/Mul_output_0");

        Graph withoutAffine = PatternRewriter.rewrite(normalizedRead, LAYER_NORM, Ops::shapeRule).graph();
        Graph withoutBias = PatternRewriter.rewrite(scaledRead, LAYER_NORM, Ops::shapeRule).graph();

        assertEquals(Map.of("LayerNormalization", 1, "Mul", 1, "Add", 1, "Identity", 1), opCounts(withoutAffine));
        assertEquals(List.of("/Div_output_0"), onlyNode(withoutAffine, "LayerNormalization").outputs());
        assertEquals(Map.of("LayerNormalization", 1, "Add", 1, "Identity", 1), opCounts(withoutBias));
        Node scaleOnly = onlyNode(withoutBias, "LayerNormalization");
        assertEquals(List.of("/Mul_output_0"), scaleOnly.outputs());
        assertEquals("weight", scaleOnly.input(1));
        assertEquals(Tensor.zeros(new int[] {8}), withoutBias.initializers().get(scaleOnly.input(2)));
        RewriteFixtures.assertWellFormed(withoutAffine);
        RewriteFixtures.assertWellFormed(withoutBias);
    }

    @Test
    void anExponentOtherThanTwoIsNotFused() {
        Graph graph = model("layernorm_affine");
        String exponent = graph.node("/Pow").orElseThrow().input(1);

        assertNotFused(RewriteFixtures.withConstant(graph, exponent, Tensor.scalar(3)));
    }

    @Test
    void reductionsOverDifferentOrNonTrailingAxesAreNotFused() {
        UnaryOperator<Node> secondToLast = node -> node.withAttributes(node.attributes().with("axes",
                new long[] {-2}));
        Graph graph = model("layernorm_affine");

        assertNotFused(editNode(graph, "/ReduceMean_1", secondToLast));
        assertNotFused(editNode(editNode(graph, "/ReduceMean", secondToLast), "/ReduceMean_1", secondToLast));
    }

    @Test
    void anEpsilonThatIsNotOneConstantIsNotFused() {
        Graph graph = model("layernorm_affine");
        String epsilon = graph.node("/Add").orElseThrow().input(1);

        assertNotFused(RewriteFixtures.withConstant(graph, epsilon, Tensor.filled(new int[] {2}, 1e-5)));
    }

    @Test
    void aScaleThatVariesAlongAnAxisThatIsNotNormalizedStaysOutsideTheFusion() {
        Graph graph = model("layernorm_affine");
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        initializers.put("weight", Tensor.filled(new int[] {2, 4, 8}, 2));

        Graph rewritten = PatternRewriter.rewrite(graph.with(graph.nodes(), initializers), LAYER_NORM, Ops::shapeRule).graph();

        assertEquals(Map.of("LayerNormalization", 1, "Mul", 1, "Add", 1), opCounts(rewritten));
        assertEquals(List.of("/Div_output_0"), onlyNode(rewritten, "LayerNormalization").outputs());
    }

    private static void assertNotFused(Graph graph) {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(graph, LAYER_NORM, Ops::shapeRule);
        assertSame(graph, rewritten.graph());
        assertTrue(rewritten.fusions().isEmpty(), () -> "unexpected fusions " + rewritten.fusions());
        assertEquals(new ArrayList<>(graph.nodes()), rewritten.graph().nodes());
    }

    private static Fusion.ReplacedNode replaced(String name, String opType) {
        return new Fusion.ReplacedNode(name, opType);
    }
}
