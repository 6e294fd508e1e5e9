package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.engine.op.Ops;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.array;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.assertClose;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.model;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.onlyNode;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.opCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tanh GELU, with x³ as PyTorch 1.13 writes it (x · (x · x)) or as Pow(x, 3), becomes Gelu(approximate="tanh"). */
class GeluTanhPatternTest {
    private static final List<RewritePattern> GELU_TANH = List.of(new GeluTanhPattern());

    @Test
    void pytorchTanhGeluBecomesOneTanhGeluComputingWhatPytorchComputed() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(model("gelu_tanh"), GELU_TANH, Ops::shapeRule);

        assertEquals(Map.of("Gelu", 1), opCounts(rewritten.graph()));
        Node gelu = onlyNode(rewritten.graph(), "Gelu");
        assertEquals("tanh", gelu.attributes().getString("approximate", ""));
        assertEquals(List.of("input"), gelu.inputs());
        assertEquals(List.of("output"), gelu.outputs());
        assertEquals(List.of("Mul", "Mul", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul"),
                rewritten.fusions().get(0).replacedOpTypes());
        assertEquals("GeluTanh", rewritten.fusions().get(0).pattern());
        assertClose(array("gelu_tanh", "output"), FusedOpFormulas.apply(rewritten.graph(), gelu,
                array("gelu_tanh", "input")));
    }

    @Test
    void cubeWrittenAsPowIsFused() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(powGelu(3, 0.044715f), GELU_TANH, Ops::shapeRule);

        assertEquals(Map.of("Gelu", 1), opCounts(rewritten.graph()));
        assertEquals(List.of("Pow", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul"),
                rewritten.fusions().get(0).replacedOpTypes());
    }

    @Test
    void aWrongExponentOrCoefficientIsNotFused() {
        Graph graph = model("gelu_tanh");
        String kappa = graph.node("/Mul_2").orElseThrow().input(0);

        assertNotFused(RewriteFixtures.withConstant(graph, kappa, Tensor.scalar(0.05)));
        assertNotFused(powGelu(2, 0.044715f));
        assertNotFused(powGelu(3, 0.04f));
    }

    @Test
    void anIntermediateReadOutsideThePatternIsNotFused() {
        for (String intermediate : List.of("/Mul_output_0", "/Add_output_0", "/Tanh_output_0", "/Mul_4_output_0")) {
            assertNotFused(RewriteFixtures.withExtraReader(model("gelu_tanh"), intermediate));
        }
    }

    /** {@code 0.5 * x * (1 + tanh(√(2/π) * (x + kappa * pow(x, exponent))))}, as a hand-written module exports it. */
    private static Graph powGelu(double exponent, float kappa) {
        Map<String, Tensor> constants = Map.of("three", Tensor.scalar(exponent), "kappa", Tensor.scalar(kappa),
                "c", Tensor.scalar((float) Math.sqrt(2 / Math.PI)), "one", Tensor.scalar(1),
                "half", Tensor.scalar(0.5));
        List<Node> nodes = List.of(
                Node.of("pow", "Pow", List.of("x", "three"), List.of("cube"), Attributes.NONE),
                Node.of("mul_kappa", "Mul", List.of("kappa", "cube"), List.of("scaled_cube"), Attributes.NONE),
                Node.of("sum", "Add", List.of("x", "scaled_cube"), List.of("sum_out"), Attributes.NONE),
                Node.of("mul_c", "Mul", List.of("c", "sum_out"), List.of("inner"), Attributes.NONE),
                Node.of("tanh", "Tanh", List.of("inner"), List.of("t"), Attributes.NONE),
                Node.of("add_one", "Add", List.of("one", "t"), List.of("one_plus"), Attributes.NONE),
                Node.of("mul_half", "Mul", List.of("half", "x"), List.of("half_x"), Attributes.NONE),
                Node.of("mul_out", "Mul", List.of("half_x", "one_plus"), List.of("y"), Attributes.NONE));
        return new Graph("pow_gelu", 13, nodes, constants,
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 8))),
                List.of(new ValueInfo("y", ElementType.FLOAT, List.of(-1, 8))), Map.of());
    }

    private static void assertNotFused(Graph graph) {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(graph, GELU_TANH, Ops::shapeRule);
        assertSame(graph, rewritten.graph());
        assertTrue(rewritten.fusions().isEmpty(), () -> "unexpected fusions " + rewritten.fusions());
    }
}
