package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.engine.op.Ops;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.array;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.assertClose;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.model;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.onlyNode;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.opCounts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The erf GELU of PyTorch and of tf2onnx/Keras becomes one Gelu(approximate="none"). */
class GeluErfPatternTest {
    private static final List<RewritePattern> GELU_ERF = List.of(new GeluErfPattern());

    @Test
    void pytorchGeluBecomesOneExactGeluComputingWhatPytorchComputed() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(model("gelu_erf"), GELU_ERF, Ops::shapeRule);

        assertEquals(Map.of("Gelu", 1), opCounts(rewritten.graph()));
        Node gelu = onlyNode(rewritten.graph(), "Gelu");
        assertEquals("", gelu.domain());
        assertEquals("none", gelu.attributes().getString("approximate", ""));
        assertEquals(List.of("input"), gelu.inputs());
        assertEquals(List.of("output"), gelu.outputs());
        Fusion fusion = rewritten.fusions().get(0);
        assertEquals("GeluErf", fusion.pattern());
        assertEquals("/Gelu", fusion.node());
        assertEquals(List.of(new Fusion.ReplacedNode("/Div", "Div"), new Fusion.ReplacedNode("/Erf", "Erf"),
                new Fusion.ReplacedNode("/Add", "Add"), new Fusion.ReplacedNode("/Mul", "Mul"),
                new Fusion.ReplacedNode("/Mul_1", "Mul")), fusion.replaced());
        assertClose(array("gelu_erf", "output"), FusedOpFormulas.apply(rewritten.graph(), gelu,
                array("gelu_erf", "input")));
        assertArrayEquals(new int[] {2, 4, 8}, ShapeInference.infer(rewritten.graph(), 2, Ops::shapeRule).get("output"));
    }

    /** tf2onnx's order: {@code Mul(Mul(0.5, x), Add(1, Erf(Mul(x, 1/√2))))}, float32 constants. */
    @Test
    void tensorflowOperandOrderWithMultiplicationByOneOverSqrtTwoIsFused() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(tensorflowGelu((float) Math.sqrt(0.5)),
                GELU_ERF, Ops::shapeRule);

        assertEquals(Map.of("Gelu", 1), opCounts(rewritten.graph()));
        assertEquals(List.of("x"), onlyNode(rewritten.graph(), "Gelu").inputs());
        assertEquals(List.of("Mul", "Mul", "Erf", "Add", "Mul"), rewritten.fusions().get(0).replacedOpTypes());
    }

    @Test
    void divisionByTwoInsteadOfSqrtTwoIsNotFused() {
        Graph graph = model("gelu_erf");
        String divisor = graph.node("/Div").orElseThrow().input(1);

        assertNotFused(RewriteFixtures.withConstant(graph, divisor, Tensor.scalar(2)));
        assertNotFused(tensorflowGelu(0.5f));
    }

    @Test
    void aWrongHalfOrOneIsNotFused() {
        Graph graph = model("gelu_erf");

        assertNotFused(RewriteFixtures.withConstant(graph, graph.node("/Mul_1").orElseThrow().input(1),
                Tensor.scalar(0.25)));
        assertNotFused(RewriteFixtures.withConstant(graph, graph.node("/Add").orElseThrow().input(1),
                Tensor.scalar(2)));
    }

    @Test
    void anIntermediateReadOutsideThePatternIsNotFused() {
        for (String intermediate : List.of("/Div_output_0", "/Erf_output_0", "/Add_output_0", "/Mul_output_0")) {
            assertNotFused(RewriteFixtures.withExtraReader(model("gelu_erf"), intermediate));
        }
    }

    private static Graph tensorflowGelu(float inverseScale) {
        Map<String, Tensor> constants = Map.of("half", Tensor.scalar(0.5), "one", Tensor.scalar(1),
                "scale", Tensor.scalar(inverseScale));
        List<Node> nodes = List.of(
                Node.of("mul_half", "Mul", List.of("half", "x"), List.of("half_x"), Attributes.NONE),
                Node.of("mul_scale", "Mul", List.of("x", "scale"), List.of("scaled"), Attributes.NONE),
                Node.of("erf", "Erf", List.of("scaled"), List.of("erf_out"), Attributes.NONE),
                Node.of("add_one", "Add", List.of("one", "erf_out"), List.of("one_plus"), Attributes.NONE),
                Node.of("mul_out", "Mul", List.of("half_x", "one_plus"), List.of("y"), Attributes.NONE));
        return new Graph("tf_gelu", 13, nodes, constants,
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 8))),
                List.of(new ValueInfo("y", ElementType.FLOAT, List.of(-1, 8))), Map.of());
    }

    private static void assertNotFused(Graph graph) {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(graph, GELU_ERF, Ops::shapeRule);
        assertSame(graph, rewritten.graph());
        assertTrue(rewritten.fusions().isEmpty(), () -> "unexpected fusions " + rewritten.fusions());
    }
}
