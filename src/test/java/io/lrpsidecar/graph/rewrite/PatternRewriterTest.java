package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.engine.op.Ops;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.array;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.assertClose;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.model;
import static io.lrpsidecar.graph.rewrite.RewriteFixtures.opCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.ConstantFolder;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** All patterns together on whole transformer exports, to a fixed point. */
class PatternRewriterTest {

    @Test
    void preNormBlockGetsTwoLayerNormalizationsAndOneGeluThatComputeWhatPytorchComputed() {
        Graph exported = model("prenorm_block");

        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(exported, Ops::shapeRule);

        Map<String, Integer> expected = new TreeMap<>(opCounts(exported));
        Map<String, Integer> twoLayerNorms = Map.of("ReduceMean", 4, "Sub", 2, "Pow", 2, "Add", 4, "Sqrt", 2,
                "Div", 2, "Mul", 2);
        subtract(expected, twoLayerNorms);
        subtract(expected, Map.of("Div", 1, "Erf", 1, "Add", 1, "Mul", 2));
        expected.put("LayerNormalization", 2);
        expected.put("Gelu", 1);
        assertEquals(expected, opCounts(rewritten.graph()));
        assertEquals(List.of("/ln1/LayerNormalization", "/ln2/LayerNormalization", "/act/Gelu"),
                rewritten.fusions().stream().map(Fusion::node).toList());
        assertEquals(List.of("LayerNorm", "LayerNorm", "GeluErf"),
                rewritten.fusions().stream().map(Fusion::pattern).toList());
        RewriteFixtures.assertWellFormed(rewritten.graph());
        for (String module : List.of("ln1", "ln2", "act")) {
            Fusion fusion = rewritten.fusions().stream().filter(f -> f.node().startsWith("/" + module + "/"))
                    .findFirst().orElseThrow();
            Node fused = rewritten.graph().node(fusion.node()).orElseThrow();
            Node anchor = exported.node(fusion.replaced().get(fusion.replaced().size() - 1).name()).orElseThrow();
            assertEquals(anchor.outputs(), fused.outputs(), "the fused node keeps the pattern's output name");
            assertClose(array("prenorm_block", module + ".out"),
                    FusedOpFormulas.apply(rewritten.graph(), fused, array("prenorm_block", module + ".in")));
        }
    }

    @Test
    void textTransformerHasFiveLayerNormalizationsAndTwoGelusAndNoDecompositionLeft() {
        Graph exported = model("text_transformer");
        for (Graph graph : List.of(exported, ConstantFolder.fold(exported, Ops::shapeRule))) {
            PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(graph, Ops::shapeRule);

            Map<String, Integer> counts = opCounts(rewritten.graph());
            assertEquals(5, counts.get("LayerNormalization"), counts::toString);
            assertEquals(2, counts.get("Gelu"), counts::toString);
            for (String decomposed : List.of("Pow", "Sqrt", "Erf", "ReduceMean", "Sub")) {
                assertFalse(counts.containsKey(decomposed), () -> decomposed + " left in " + counts);
            }
            assertEquals(7, rewritten.fusions().size());
            assertEquals(List.of("/blocks.0/ln1/LayerNormalization", "blocks.0.ln1.weight", "blocks.0.ln1.bias"),
                    List.of(rewritten.fusions().get(0).node(),
                            rewritten.graph().node("/blocks.0/ln1/LayerNormalization").orElseThrow().input(1),
                            rewritten.graph().node("/blocks.0/ln1/LayerNormalization").orElseThrow().input(2)));
            RewriteFixtures.assertWellFormed(rewritten.graph());
        }
    }

    @Test
    void aRewrittenGraphIsAFixedPoint() {
        Graph rewritten = PatternRewriter.rewrite(model("text_transformer"), Ops::shapeRule).graph();

        PatternRewriter.Rewritten again = PatternRewriter.rewrite(rewritten, Ops::shapeRule);

        assertSame(rewritten, again.graph());
        assertTrue(again.fusions().isEmpty());
    }

    private static void subtract(Map<String, Integer> counts, Map<String, Integer> removed) {
        removed.forEach((opType, count) -> counts.merge(opType, -count, Integer::sum));
        counts.values().removeIf(count -> count == 0);
    }
}
