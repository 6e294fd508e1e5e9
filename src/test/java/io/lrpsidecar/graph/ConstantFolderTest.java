package io.lrpsidecar.graph;

import io.lrpsidecar.engine.op.Ops;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.engine.composite.CompositeParser;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Constant subgraphs fold away at load, and the folded graph is valid for every batch size. */
class ConstantFolderTest {

    /** {@code x.view(x.size(0), -1)} as torch exports it, followed by a dense head. */
    private static Graph viewAsTorchExportsIt() {
        Random random = new Random(7);
        double[] weight = new double[3 * 12];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = random.nextGaussian();
        }
        List<Node> nodes = List.of(
                Node.of("shape", "Shape", List.of("x"), List.of("s"), Attributes.NONE),
                Node.of("zero", "Constant", List.of(), List.of("zero_index"),
                        new Attributes(Map.of("value", Tensor.ofLongs(new int[0], new long[] {0})))),
                Node.of("gather", "Gather", List.of("s", "zero_index"), List.of("batch"),
                        new Attributes(Map.of("axis", 0L))),
                Node.of("unsqueeze", "Unsqueeze", List.of("batch", "axes"), List.of("batch_1d"), Attributes.NONE),
                Node.of("concat", "Concat", List.of("batch_1d", "minus_one"), List.of("target_shape"),
                        new Attributes(Map.of("axis", 0L))),
                Node.of("view", "Reshape", List.of("x", "target_shape"), List.of("flat"), Attributes.NONE),
                Node.of("head", "Gemm", List.of("flat", "w"), List.of("logits"),
                        new Attributes(Map.of("transB", 1L))));
        return new Graph("view", 13, nodes,
                Map.of("axes", Tensor.ofLongs(new int[] {1}, new long[] {0}),
                        "minus_one", Tensor.ofLongs(new int[] {1}, new long[] {-1}),
                        "w", Tensor.of(new int[] {3, 12}, weight)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 3, 2, 2))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 3))), Map.of());
    }

    @Test
    void foldsTheShapeChainIntoABatchAgnosticReshape() {
        Graph folded = ConstantFolder.fold(viewAsTorchExportsIt(), Ops::shapeRule);

        assertEquals(List.of("Reshape", "Gemm"), folded.nodes().stream().map(Node::opType).toList());
        Tensor target = folded.initializers().get(folded.nodes().get(0).input(1));
        assertArrayEquals(new long[] {0, -1}, target.longs(), "batch axis copied, the rest inferred");
    }

    @Test
    void theFoldedModelExplainsAnyBatchSizeLikeRowByRow() {
        ExplainableModel model = ExplainableModel.prepare(viewAsTorchExportsIt(), true);
        ReferenceExplainer explainer = new ReferenceExplainer(model, new CompositeParser(file -> {
            throw new AssertionError(file);
        }).parse("epsilon"));
        Random random = new Random(11);
        double[] values = new double[5 * 12];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        Tensor batch = Tensor.of(new int[] {5, 3, 2, 2}, values);
        Tensor logits = explainer.forward(batch).get("logits");
        for (int row = 0; row < 5; row++) {
            double[] single = java.util.Arrays.copyOfRange(values, row * 12, row * 12 + 12);
            Tensor one = explainer.forward(Tensor.of(new int[] {1, 3, 2, 2}, single)).get("logits");
            for (int k = 0; k < 3; k++) {
                assertEquals(one.doubles()[k], logits.doubles()[row * 3 + k], 1e-12);
            }
        }
    }

    @Test
    void turnsConstantNodesIntoInitializers() {
        Graph graph = new Graph("constant", 13, List.of(
                Node.of("c", "Constant", List.of(), List.of("two"),
                        new Attributes(Map.of("value_float", 2.0))),
                Node.of("scale", "Mul", List.of("x", "two"), List.of("y"), Attributes.NONE)),
                Map.of(), List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 4))),
                List.of(new ValueInfo("y", ElementType.FLOAT, List.of(-1, 4))), Map.of());

        Graph folded = ConstantFolder.fold(graph, Ops::shapeRule);

        assertEquals(1, folded.nodes().size());
        assertTrue(folded.isConstant("two"));
        assertEquals(2.0, folded.initializers().get("two").doubles()[0]);
    }

    private static Node constant(String output, long... values) {
        return Node.of(output + "_node", "Constant", List.of(), List.of(output),
                new Attributes(Map.of("value", Tensor.ofLongs(new int[] {values.length}, values))));
    }

    private static Node scalarConstant(String output, long value) {
        return Node.of(output + "_node", "Constant", List.of(), List.of(output),
                new Attributes(Map.of("value", Tensor.ofLongs(new int[0], new long[] {value}))));
    }

    /** The batch size of {@code x} as a 1-D value {@code n}, as torch exports {@code x.size(0)}. */
    private static List<Node> batchOf(String x) {
        return List.of(Node.of("shape_" + x, "Shape", List.of(x), List.of("s_" + x), Attributes.NONE),
                scalarConstant("zero", 0),
                Node.of("gather_" + x, "Gather", List.of("s_" + x, "zero"), List.of("n_scalar"),
                        new Attributes(Map.of("axis", 0L))),
                constant("axes", 0),
                Node.of("unsqueeze_n", "Unsqueeze", List.of("n_scalar", "axes"), List.of("n"), Attributes.NONE));
    }

    private static Graph graph(List<Node> nodes, List<Integer> inputShape, String output) {
        return new Graph("folding", 14, nodes, Map.of(),
                List.of(new ValueInfo("x", ElementType.FLOAT, inputShape)),
                List.of(new ValueInfo(output, ElementType.FLOAT, List.of(-1, -1))), Map.of());
    }

    /**
     * The shape of a value larger than {@code Integer.MAX_VALUE / sentinel} per row (25,600 values here, as ViT's
     * 150,528) is still inferred with the sentinel batch, so a {@code Shape} of it folds: its element count at the
     * sentinel batch (2.7e9) overflowed {@code int} and the shape was dropped, leaving the {@code Shape} node.
     */
    @Test
    void foldsTheShapeOfAValueWhoseSentinelBatchSizeOverflowsAnInt() {
        List<Node> nodes = new java.util.ArrayList<>(List.of(constant("flat_target", 0, 64, 400),
                Node.of("flatten", "Reshape", List.of("x", "flat_target"), List.of("y"), Attributes.NONE),
                Node.of("shape_y", "Shape", List.of("y"), List.of("shape_of_y"), Attributes.NONE),
                Node.of("again", "Reshape", List.of("y", "shape_of_y"), List.of("z"), Attributes.NONE)));

        Graph folded = ConstantFolder.fold(graph(nodes, List.of(-1, 64, 20, 20), "z"), Ops::shapeRule);

        assertEquals(List.of("Reshape", "Reshape"), folded.nodes().stream().map(Node::opType).toList());
        assertArrayEquals(new long[] {0, 64, 400}, folded.initializers().get(folded.nodes().get(1).input(1)).longs(),
                "the folded shape, batch axis copied");
    }

    /**
     * A reshape to {@code [batch * 2, 12]} (as ViT's {@code [L, batch * heads, 64]}) folds to {@code [-1, 12]}, which
     * holds for every batch size; the sentinel multiple {@code 209458} used to be baked into the target.
     */
    @Test
    void aMultipleOfTheBatchSizeInAReshapeTargetBecomesMinusOne() {
        List<Node> nodes = new java.util.ArrayList<>(batchOf("x"));
        nodes.addAll(List.of(scalarConstant("two", 2),
                Node.of("times_two", "Mul", List.of("n", "two"), List.of("n2"), Attributes.NONE),
                constant("twelve", 12),
                Node.of("target", "Concat", List.of("n2", "twelve"), List.of("target_shape"),
                        new Attributes(Map.of("axis", 0L))),
                Node.of("split_rows", "Reshape", List.of("x", "target_shape"), List.of("y"), Attributes.NONE)));
        Graph graph = graph(nodes, List.of(-1, 4, 6), "y");

        Graph folded = ConstantFolder.fold(graph, Ops::shapeRule);

        assertEquals(List.of("Reshape"), folded.nodes().stream().map(Node::opType).toList());
        assertArrayEquals(new long[] {-1, 12}, folded.initializers().get(folded.nodes().get(0).input(1)).longs());
        for (int batch : new int[] {1, 3}) {
            assertArrayEquals(new int[] {2 * batch, 12}, ShapeInference.infer(folded, batch, Ops::shapeRule).get("y"));
        }
    }

    @Test
    void refusesAReshapeTargetWithTwoEntriesThatFollowTheBatchSize() {
        List<Node> nodes = new java.util.ArrayList<>(batchOf("x"));
        nodes.addAll(List.of(constant("six", 6),
                Node.of("target", "Concat", List.of("n", "n", "six"), List.of("target_shape"),
                        new Attributes(Map.of("axis", 0L))),
                Node.of("square", "Reshape", List.of("x", "target_shape"), List.of("y"), Attributes.NONE)));

        ModelLoadException refusal = org.junit.jupiter.api.Assertions.assertThrows(ModelLoadException.class,
                () -> ConstantFolder.fold(graph(nodes, List.of(-1, 4, 6), "y"), Ops::shapeRule));

        assertTrue(refusal.getMessage().contains("node 'square'") && refusal.getMessage().contains(
                "expected one entry that is a multiple of the batch size"), refusal.getMessage());
    }

    /**
     * {@code token.expand(x.size(0), -1)} then a concat with {@code x}, as ViT's class token: the expand shape follows
     * the batch, so it becomes a {@code BatchExpand} reading the batch from the input, and any batch size runs.
     */
    @Test
    void anExpandToTheBatchSizeBecomesABatchExpandThatRunsAtAnyBatchSize() {
        List<Node> nodes = new java.util.ArrayList<>(batchOf("x"));
        nodes.addAll(List.of(constant("minus_one", -1),
                Node.of("expand_shape", "Concat", List.of("n", "minus_one"), List.of("shape"),
                        new Attributes(Map.of("axis", 0L))),
                Node.of("minus_ones_node", "ConstantOfShape", List.of("shape_length"), List.of("ones"),
                        new Attributes(Map.of("value", Tensor.ofLongs(new int[] {1}, new long[] {1})))),
                Node.of("is_open", "Equal", List.of("shape", "minus_one"), List.of("open"), Attributes.NONE),
                Node.of("resolved", "Where", List.of("open", "ones", "shape"), List.of("resolved_shape"),
                        Attributes.NONE),
                Node.of("expand", "Expand", List.of("token", "resolved_shape"), List.of("tokens"), Attributes.NONE),
                Node.of("join", "Concat", List.of("tokens", "x"), List.of("y"), new Attributes(Map.of("axis", 1L))),
                Node.of("head", "Gemm", List.of("y", "w"), List.of("logits"), new Attributes(Map.of("transB", 1L)))));
        Random random = new Random(5);
        double[] weight = new double[2 * 4];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = random.nextGaussian();
        }
        Graph graph = new Graph("class token", 14, nodes,
                Map.of("token", Tensor.of(new int[] {1, 1}, new double[] {0.5}),
                        "shape_length", Tensor.ofLongs(new int[] {1}, new long[] {2}),
                        "w", Tensor.of(new int[] {2, 4}, weight)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 3))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());

        Graph folded = ConstantFolder.fold(graph, Ops::shapeRule);
        assertEquals(List.of("BatchExpand", "Concat", "Gemm"), folded.nodes().stream().map(Node::opType).toList());

        ReferenceExplainer explainer = new ReferenceExplainer(ExplainableModel.prepare(graph, true),
                new CompositeParser(file -> {
                    throw new AssertionError(file);
                }).parse("epsilon"));
        double[] rows = {1, 2, 3, -1, 0.5, 2};
        double[] logits = explainer.forward(Tensor.of(new int[] {2, 3}, rows)).get("logits").doubles();
        for (int row = 0; row < 2; row++) {
            for (int k = 0; k < 2; k++) {
                double expected = 0.5 * weight[k * 4];
                for (int j = 0; j < 3; j++) {
                    expected += rows[row * 3 + j] * weight[k * 4 + 1 + j];
                }
                assertEquals(expected, logits[row * 2 + k], 1e-12, "row " + row + ", class " + k);
            }
        }
    }
}
