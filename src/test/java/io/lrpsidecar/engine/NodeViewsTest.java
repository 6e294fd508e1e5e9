package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Relu gate of {@link NodeView#reluGated}: rules drop a stabilizer's sign test on its strength, so it must hold
 * only where every consumer of the output is a Relu and the output is not read from outside the graph.
 */
class NodeViewsTest {

    private static Node conv(String name, String x, String y) {
        return Node.of(name, "Conv", List.of(x, "w", "b"), List.of(y), new Attributes(Map.of("kernel_shape",
                new long[] {1, 1})));
    }

    @Test
    void onlyOutputsReadByRelusAloneAreGated() {
        Graph graph = new Graph("gates", 13, List.of(
                conv("only_relu", "x", "c1"),
                Node.of("relu1", "Relu", List.of("c1"), List.of("r1"), Attributes.NONE),
                conv("into_add", "r1", "c2"),
                Node.of("residual", "Add", List.of("c2", "r1"), List.of("a"), Attributes.NONE),
                Node.of("relu2", "Relu", List.of("a"), List.of("r2"), Attributes.NONE),
                conv("relu_and_add", "r2", "c3"),
                Node.of("relu3", "Relu", List.of("c3"), List.of("r3"), Attributes.NONE),
                Node.of("second_add", "Add", List.of("c3", "r3"), List.of("s"), Attributes.NONE),
                conv("read_outside", "s", "c4"),
                Node.of("relu4", "Relu", List.of("c4"), List.of("r4"), Attributes.NONE),
                Node.of("head", "Add", List.of("r4", "c4"), List.of("y"), Attributes.NONE)),
                Map.of("w", Tensor.of(new int[] {2, 2, 1, 1}, new double[] {1, -1, 2, 0.5}),
                        "b", Tensor.of(new int[] {2}, new double[] {0.1, -0.2})),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 2, 3, 3))),
                List.of(new ValueInfo("y", ElementType.FLOAT, List.of(-1, 2, 3, 3)),
                        new ValueInfo("c1", ElementType.FLOAT, List.of(-1, 2, 3, 3))), Map.of());
        Map<String, NodeView> views = NodeViews.of(graph, "x", Set.of());
        assertEquals(false, views.get("only_relu").reluGated(), "c1 is also a graph output");
        assertEquals(false, views.get("into_add").reluGated(), "c2 feeds the residual Add");
        assertEquals(true, views.get("residual").reluGated(), "the sum feeds relu2 alone");
        assertEquals(false, views.get("relu_and_add").reluGated(), "c3 feeds relu3 and an Add");
        assertEquals(false, views.get("read_outside").reluGated(), "c4 feeds relu4 and the head");
        assertEquals(false, views.get("head").reluGated(), "the graph output has no consumer");
        Graph relu = new Graph("gate", 13, List.of(conv("gated", "x", "c"),
                Node.of("relu", "Relu", List.of("c"), List.of("y"), Attributes.NONE)),
                graph.initializers(), graph.inputs(), List.of(graph.outputs().get(0)), Map.of());
        assertEquals(true, NodeViews.of(relu, "x", Set.of()).get("gated").reluGated(), "c feeds the Relu alone");
    }

    /**
     * zennit's composites pass relevance through Relus unchanged, so the gate holds only while the readers above the
     * Relu give relevance proportional to their input: a flat rule there gives inactive units relevance.
     */
    @Test
    void theGateHoldsOnlyWhereTheRulesAboveTheReluKeepInactiveUnitsAtZero() throws Exception {
        ExplainableModel model = ExplainableModel.load(java.nio.file.Path.of("src/main/resources/demo/digits.onnx"));
        var parser = new io.lrpsidecar.engine.composite.CompositeParser(file -> null);
        long gated = model.views().values().stream().filter(NodeView::reluGated).count();
        long underZennit = model.views(parser.parse("epsilon-plus-flat")).values().stream()
                .filter(NodeView::reluGated).count();
        long underFlatAbove = model.views(parser.parse("epsilon-plus-flat;linear=flat")).values().stream()
                .filter(NodeView::reluGated).count();
        long underGradientRelu = model.views(parser.parse("epsilon-plus-flat;linear=flat;activation=gradient"))
                .values().stream().filter(NodeView::reluGated).count();
        assertEquals(true, gated > 0, "the digits model has layers that feed a Relu");
        assertEquals(gated, underZennit, "z+ and epsilon above each Relu keep the gate");
        assertEquals(1, underFlatAbove, "flat layers above two of the Relus drop their gates; the third Relu is read "
                + "by an AveragePool under the norm rule, proportional to its input, and keeps its gate");
        assertEquals(gated, underGradientRelu, "a Relu under its gradient masks inactive units whatever is above");
    }
}
