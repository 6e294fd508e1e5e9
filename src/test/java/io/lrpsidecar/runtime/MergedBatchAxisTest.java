package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reshape that merges the batch with another axis (PyTorch's nn.MultiheadAttention folds the heads into the batch:
 * {@code [T, B, D] -> [T, B * H, d]}) is refused by the compiler with a message that names the value and points to
 * the reference engine, instead of failing inside the emitter; the reference engine explains such a model one row at
 * a time, so its ledger sums each row's share of the merged axis whether the batch is the major or the minor part.
 */
class MergedBatchAxisTest {

    @Test
    void aReshapeThatMergesTheBatchIsRefusedWithItsReason() {
        Graph graph = new Graph("merged", 14, List.of(
                Node.of("t", "Transpose", List.of("x"), List.of("tokens_first"),
                        new Attributes(Map.of("perm", new long[] {1, 0, 2}))),
                Node.of("heads", "Reshape", List.of("tokens_first", "target"), List.of("merged"), Attributes.NONE),
                Node.of("back", "Reshape", List.of("merged", "back_target"), List.of("restored"), Attributes.NONE),
                Node.of("flat", "Reshape", List.of("restored", "flat_target"), List.of("flat"), Attributes.NONE),
                Node.of("head", "MatMul", List.of("flat", "w"), List.of("logits"), Attributes.NONE)),
                Map.of("target", Tensor.ofLongs(new int[] {3}, new long[] {3, -1, 2}),
                        "back_target", Tensor.ofLongs(new int[] {3}, new long[] {3, -1, 4}),
                        "flat_target", Tensor.ofLongs(new int[] {2}, new long[] {-1, 12}),
                        "w", Tensor.of(new int[] {12, 2}, new double[24])),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 3, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
        ExplainableModel model = ExplainableModel.prepare(graph, true);

        ModelLoadException refused = assertThrows(ModelLoadException.class, () -> ExplainerCompiler.compile(model,
                new CompositeParser(file -> null).parse("epsilon"), InitMode.LOGIT));

        assertTrue(refused.getMessage().contains("needs the batch on an axis of its own"), refused.getMessage());
        assertTrue(refused.getMessage().contains("reference engine"), refused.getMessage());
    }

    @Test
    void theReferenceLedgerSumsEachRowOfAMergedBatchAxis() {
        java.util.Random random = new java.util.Random(3);
        double[] first = new double[4];
        double[] second = new double[8];
        for (int i = 0; i < first.length; i++) {
            first[i] = random.nextGaussian();
        }
        for (int i = 0; i < second.length; i++) {
            second[i] = random.nextGaussian();
        }
        Graph graph = new Graph("merged_rows", 14, List.of(
                Node.of("split", "Reshape", List.of("x", "pairs"), List.of("merged"), Attributes.NONE),
                Node.of("mix", "MatMul", List.of("merged", "w1"), List.of("mixed"), Attributes.NONE),
                Node.of("join", "Reshape", List.of("mixed", "rows"), List.of("joined"), Attributes.NONE),
                Node.of("head", "MatMul", List.of("joined", "w2"), List.of("logits"), Attributes.NONE)),
                Map.of("pairs", Tensor.ofLongs(new int[] {2}, new long[] {-1, 2}),
                        "rows", Tensor.ofLongs(new int[] {2}, new long[] {-1, 4}),
                        "w1", Tensor.of(new int[] {2, 2}, first), "w2", Tensor.of(new int[] {4, 2}, second)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        double[] values = new double[3 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }

        io.lrpsidecar.engine.Explanation explanation = new io.lrpsidecar.engine.reference.ReferenceExplainer(model,
                new CompositeParser(file -> null).parse("epsilon(0)")).explain(Tensor.of(new int[] {3, 4}, values),
                new io.lrpsidecar.engine.Target.Predicted(), InitMode.LOGIT);

        for (io.lrpsidecar.engine.LedgerEntry layer : explanation.ledger()) {
            assertEquals(3, layer.relevanceIn().length, layer.name());
            for (int row = 0; row < 3; row++) {
                assertEquals(explanation.initialRelevance()[row], layer.relevanceIn()[row],
                        1e-9 * Math.max(1, Math.abs(explanation.initialRelevance()[row])),
                        layer.name() + " row " + row + " (LRP-0 without biases conserves at every node)");
            }
        }
    }

    @Test
    void aBatchMergedInsideTheTokensIsSummedPerRowToo() {
        java.util.Random random = new java.util.Random(4);
        double[] weight = new double[2 * 2];
        double[] head = new double[6 * 2];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = random.nextGaussian();
        }
        for (int i = 0; i < head.length; i++) {
            head[i] = random.nextGaussian();
        }
        Graph graph = new Graph("tokens_major", 14, List.of(
                Node.of("t", "Transpose", List.of("x"), List.of("tokens_first"),
                        new Attributes(Map.of("perm", new long[] {1, 0, 2}))),
                Node.of("flat", "Reshape", List.of("tokens_first", "rows_target"), List.of("rows"), Attributes.NONE),
                Node.of("mix", "MatMul", List.of("rows", "w"), List.of("mixed"), Attributes.NONE),
                Node.of("unflat", "Reshape", List.of("mixed", "back_target"), List.of("back"), Attributes.NONE),
                Node.of("t2", "Transpose", List.of("back"), List.of("batch_first"),
                        new Attributes(Map.of("perm", new long[] {1, 0, 2}))),
                Node.of("flat2", "Reshape", List.of("batch_first", "head_target"), List.of("features"),
                        Attributes.NONE),
                Node.of("head", "MatMul", List.of("features", "w2"), List.of("logits"), Attributes.NONE)),
                Map.of("rows_target", Tensor.ofLongs(new int[] {2}, new long[] {-1, 2}),
                        "back_target", Tensor.ofLongs(new int[] {3}, new long[] {3, -1, 2}),
                        "head_target", Tensor.ofLongs(new int[] {2}, new long[] {-1, 6}),
                        "w", Tensor.of(new int[] {2, 2}, weight), "w2", Tensor.of(new int[] {6, 2}, head)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 3, 2))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        double[] values = new double[4 * 6];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }

        io.lrpsidecar.engine.Explanation explanation = new io.lrpsidecar.engine.reference.ReferenceExplainer(model,
                new CompositeParser(file -> null).parse("epsilon(0)")).explain(Tensor.of(new int[] {4, 3, 2}, values),
                new io.lrpsidecar.engine.Target.Predicted(), InitMode.LOGIT);

        for (io.lrpsidecar.engine.LedgerEntry layer : explanation.ledger()) {
            for (int row = 0; row < 4; row++) {
                assertEquals(explanation.initialRelevance()[row], layer.relevanceIn()[row],
                        1e-9 * Math.max(1, Math.abs(explanation.initialRelevance()[row])), layer.name() + " row " + row);
            }
        }
    }
}
