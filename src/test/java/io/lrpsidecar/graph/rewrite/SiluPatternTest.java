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
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nn.SiLU}, exported as Mul(x, Sigmoid(x)), becomes one Silu of the project's domain. */
class SiluPatternTest {
    private static final List<RewritePattern> SILU = List.of(new SiluPattern());

    @Test
    void pytorchSiluBecomesOneSiluComputingWhatPytorchComputed() {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(model("silu"), SILU, Ops::shapeRule);

        assertEquals(Map.of("Silu", 1), opCounts(rewritten.graph()));
        Node silu = onlyNode(rewritten.graph(), "Silu");
        assertEquals(Node.LRP_DOMAIN, silu.domain());
        assertEquals(List.of("input"), silu.inputs());
        assertEquals(List.of("output"), silu.outputs());
        assertEquals(List.of(new Fusion.ReplacedNode("/Sigmoid", "Sigmoid"), new Fusion.ReplacedNode("/Mul", "Mul")),
                rewritten.fusions().get(0).replaced());
        assertClose(array("silu", "output"), FusedOpFormulas.apply(rewritten.graph(), silu, array("silu", "input")));
        assertArrayEquals(new int[] {5, 4, 8}, ShapeInference.infer(rewritten.graph(), 5, Ops::shapeRule).get("output"));
    }

    @Test
    void sigmoidOperandFirstIsFusedToo() {
        Graph graph = gate("x");

        assertEquals(Map.of("Silu", 1), opCounts(PatternRewriter.rewrite(graph, SILU, Ops::shapeRule).graph()));
    }

    @Test
    void aSigmoidAlsoReadElsewhereIsNotFused() {
        assertNotFused(RewriteFixtures.withExtraReader(model("silu"), "/Sigmoid_output_0"));
        assertNotFused(RewriteFixtures.withExtraOutput(model("silu"), "/Sigmoid_output_0"));
    }

    @Test
    void aGateOfAnotherValueIsNotFused() {
        assertNotFused(gate("other"));
    }

    /** {@code Mul(Sigmoid(x), multiplied)}. */
    private static Graph gate(String multiplied) {
        List<Node> nodes = List.of(
                Node.of("sigmoid", "Sigmoid", List.of("x"), List.of("s"), Attributes.NONE),
                Node.of("mul", "Mul", List.of("s", multiplied), List.of("y"), Attributes.NONE));
        return new Graph("gate", 13, nodes, Map.of(),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 8)),
                        new ValueInfo("other", ElementType.FLOAT, List.of(-1, 8))),
                List.of(new ValueInfo("y", ElementType.FLOAT, List.of(-1, 8))), Map.of());
    }

    private static void assertNotFused(Graph graph) {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(graph, SILU, Ops::shapeRule);
        assertSame(graph, rewritten.graph());
        assertTrue(rewritten.fusions().isEmpty(), () -> "unexpected fusions " + rewritten.fusions());
    }
}
