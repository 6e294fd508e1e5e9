package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.LedgerEntry;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reshapes that merge the batch with another axis: PyTorch's nn.MultiheadAttention folds the heads into the batch
 * ({@code [T, B, D] -> [T, B * H, d]}, batch-major) and a flattening may put the batch inside the tokens
 * ({@code [T, B, D] -> [T * B, D]}, batch-minor). Both engines explain such models one row at a time, so every ledger
 * row is that row's own sum: LRP-0 without biases conserves exactly at every node, row by row. The compiled explainer
 * wraps its one-row graph in an ONNX Scan over the rows and agrees with the reference engine, contrast classes
 * (one per row, fixed, runner-up or none) included.
 */
class MergedBatchAxisTest {
    private static final CompositeParser PARSER = new CompositeParser(file -> null);

    static Stream<Arguments> mergedModels() {
        return Stream.of(Arguments.of("heads folded into the batch", headsIntoBatch(new Random(2)), new int[] {3, 3, 4}),
                Arguments.of("batch-major pairs", batchMajorPairs(new Random(3)), new int[] {3, 4}),
                Arguments.of("batch inside the tokens", batchInsideTokens(new Random(4)), new int[] {4, 3, 2}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mergedModels")
    void theReferenceLedgerSumsEachRowOfAMergedBatchAxis(String what, Graph graph, int[] inputShape) {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        assertTrue(model.mergesBatch(), what);

        Explanation explanation = new ReferenceExplainer(model, PARSER.parse("epsilon(0)"))
                .explain(input(inputShape, new Random(5)), new Target.Predicted(), InitMode.LOGIT);

        assertConservesPerRow(what, explanation, inputShape[0], 1e-9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mergedModels")
    void theCompiledExplainerScansTheRowsAndAgreesWithTheReference(String what, Graph graph, int[] inputShape) {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        Composite composite = PARSER.parse("epsilon(0)");
        Tensor input = input(inputShape, new Random(6));
        Explanation expected = new ReferenceExplainer(model, composite).explain(input, new Target.Predicted(),
                InitMode.LOGIT);
        CompiledModel compiled = ExplainerCompiler.compile(model, composite, InitMode.LOGIT);
        assertEquals(List.of("Scan"), compiled.graph().nodes().stream().map(Node::opType).toList(), what);

        try (CompiledExplainer explainer = new CompiledExplainer(compiled, new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
            Explanation actual = explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);

            assertEquals(List.of(inputShape[0], inputShape.length), List.of(actual.relevance().dim(0),
                    actual.relevance().rank()), what);
            double[] want = expected.relevance().asDoubles();
            double[] got = actual.relevance().asDoubles();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), what + " relevance " + i);
            }
            assertConservesPerRow(what, actual, inputShape[0], 1e-5);
            for (int layer = 0; layer < expected.ledger().size(); layer++) {
                for (int row = 0; row < inputShape[0]; row++) {
                    double in = expected.ledger().get(layer).relevanceIn()[row];
                    assertEquals(in, actual.ledger().get(layer).relevanceIn()[row], 1e-5 * (1 + Math.abs(in)),
                            what + " ledger " + expected.ledger().get(layer).name() + " row " + row);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mergedModels")
    void theScannedExplainerTakesOneContrastPerRow(String what, Graph graph, int[] inputShape) {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        Composite composite = PARSER.parse("epsilon(0)");
        Tensor input = input(inputShape, new Random(7));
        int[] codes = new int[inputShape[0]];
        for (int row = 0; row < codes.length; row++) {
            codes[row] = row % 3 == 0 ? 0 : row % 3 == 1 ? Contrast.RUNNER_UP : Contrast.NONE;
        }
        Target contrastive = new Target.Contrastive(new Target.Predicted(), new Contrast.PerRow(codes));
        ReferenceExplainer reference = new ReferenceExplainer(model, composite);
        Explanation expected = reference.explain(input, contrastive, InitMode.LOGIT);
        Explanation forTarget = reference.explain(input, new Target.Predicted(), InitMode.LOGIT);
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                InitMode.LOGIT), new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
            Explanation actual = explainer.explain(input, contrastive, InitMode.LOGIT);
            assertArrayEquals(expected.contrasts(), actual.contrasts(), what);
            double[] want = expected.relevance().asDoubles();
            double[] got = actual.relevance().asDoubles();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), what + " relevance " + i);
            }
        }
        double[] relevance = expected.relevance().asDoubles();
        int width = relevance.length / codes.length;
        for (int row = 0; row < codes.length; row++) {
            double[] rowTarget = rowOf(forTarget, row, width);
            double[] rowContrast = expected.contrastive(row) ? rowOf(reference.explain(input,
                    new Target.ClassIndex(expected.contrasts()[row]), InitMode.LOGIT), row, width) : new double[width];
            for (int i = 0; i < width; i++) {
                assertEquals(rowTarget[i] - rowContrast[i], relevance[row * width + i], 1e-9,
                        what + " row " + row + " (contrast code " + codes[row] + ")");
            }
        }
    }

    private static double[] rowOf(Explanation explanation, int row, int width) {
        return Arrays.copyOfRange(explanation.relevance().asDoubles(), row * width, (row + 1) * width);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mergedModels")
    void aModelWithTheBatchOnItsOwnAxisIsNotScanned(String what, Graph graph, int[] inputShape) {
        Graph plain = new Graph("plain", 14, List.of(Node.of("head", "MatMul", List.of("x", "w"), List.of("logits"),
                Attributes.NONE)), Map.of("w", Tensor.of(new int[] {4, 2}, new double[] {1, 2, 3, 4, 5, 6, 7, 8})),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
        ExplainableModel model = ExplainableModel.prepare(plain, true);

        assertFalse(model.mergesBatch(), what);
        assertFalse(ExplainerCompiler.compile(model, PARSER.parse("epsilon"), InitMode.LOGIT).graph().nodes()
                .stream().anyMatch(node -> node.opType().equals("Scan")), what);
    }

    private static void assertConservesPerRow(String what, Explanation explanation, int rows, double tolerance) {
        for (LedgerEntry layer : explanation.ledger()) {
            assertEquals(rows, layer.relevanceIn().length, what + " " + layer.name());
            for (int row = 0; row < rows; row++) {
                double initial = explanation.initialRelevance()[row];
                assertEquals(initial, layer.relevanceIn()[row], tolerance * Math.max(1, Math.abs(initial)),
                        what + " " + layer.name() + " row " + row + " (LRP-0 without biases conserves at every node)");
            }
        }
    }

    /** {@code [B, 3, 4] -> [3, B, 4] -> [3, B * 2, 2] -> [3, B, 4] -> [B, 12] -> logits}: heads into the batch. */
    private static Graph headsIntoBatch(Random random) {
        return new Graph("heads_into_batch", 14, List.of(
                Node.of("t", "Transpose", List.of("x"), List.of("tokens_first"),
                        new Attributes(Map.of("perm", new long[] {1, 0, 2}))),
                Node.of("heads", "Reshape", List.of("tokens_first", "target"), List.of("merged"), Attributes.NONE),
                Node.of("mix", "MatMul", List.of("merged", "w1"), List.of("mixed"), Attributes.NONE),
                Node.of("back", "Reshape", List.of("mixed", "back_target"), List.of("restored"), Attributes.NONE),
                Node.of("t2", "Transpose", List.of("restored"), List.of("batch_first"),
                        new Attributes(Map.of("perm", new long[] {1, 0, 2}))),
                Node.of("flat", "Reshape", List.of("batch_first", "flat_target"), List.of("flat"), Attributes.NONE),
                Node.of("head", "MatMul", List.of("flat", "w"), List.of("logits"), Attributes.NONE)),
                Map.of("target", Tensor.ofLongs(new int[] {3}, new long[] {3, -1, 2}),
                        "back_target", Tensor.ofLongs(new int[] {3}, new long[] {3, -1, 4}),
                        "flat_target", Tensor.ofLongs(new int[] {2}, new long[] {-1, 12}),
                        "w1", gaussian(random, 2, 2), "w", gaussian(random, 12, 2)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 3, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
    }

    /** {@code [B, 4] -> [B * 2, 2] -> [B, 4] -> logits}: the batch is the major part. */
    private static Graph batchMajorPairs(Random random) {
        return new Graph("merged_rows", 14, List.of(
                Node.of("split", "Reshape", List.of("x", "pairs"), List.of("merged"), Attributes.NONE),
                Node.of("mix", "MatMul", List.of("merged", "w1"), List.of("mixed"), Attributes.NONE),
                Node.of("join", "Reshape", List.of("mixed", "rows"), List.of("joined"), Attributes.NONE),
                Node.of("head", "MatMul", List.of("joined", "w2"), List.of("logits"), Attributes.NONE)),
                Map.of("pairs", Tensor.ofLongs(new int[] {2}, new long[] {-1, 2}),
                        "rows", Tensor.ofLongs(new int[] {2}, new long[] {-1, 4}),
                        "w1", gaussian(random, 2, 2), "w2", gaussian(random, 4, 2)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
    }

    /** {@code [B, 3, 2] -> [3, B, 2] -> [3 * B, 2] -> ... -> logits}: the batch is the minor part. */
    private static Graph batchInsideTokens(Random random) {
        return new Graph("tokens_major", 14, List.of(
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
                        "w", gaussian(random, 2, 2), "w2", gaussian(random, 6, 2)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 3, 2))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
    }

    private static Tensor gaussian(Random random, int rows, int columns) {
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return Tensor.of(new int[] {rows, columns}, values);
    }

    private static Tensor input(int[] shape, Random random) {
        int size = 1;
        for (int extent : shape) {
            size *= extent;
        }
        double[] values = new double[size];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return Tensor.of(shape, values);
    }
}
