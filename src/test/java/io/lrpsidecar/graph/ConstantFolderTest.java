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
}
