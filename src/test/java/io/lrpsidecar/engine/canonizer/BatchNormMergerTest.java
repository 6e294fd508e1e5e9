package io.lrpsidecar.engine.canonizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for two BatchNorm merging bugs the random-model property tests found: merging must never change
 * the function the model computes, so merged and unmerged preparations of the same ONNX graph give the same logits.
 */
class BatchNormMergerTest {
    private final Random random = new Random(17);
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();

    /**
     * A BatchNorm over the channels (axis 1) of a MatMul applied to the last axis of {@code [N, C, L]}: the dense
     * layer's output features run along the last axis, not axis 1, so the BatchNorm cannot be folded into its
     * weights. With as many output features as channels the merge used to give silently wrong logits; with more, it
     * threw ArrayIndexOutOfBoundsException.
     */
    @Test
    void batchNormOverAnotherAxisThanTheDenseFeaturesIsNotMerged() {
        for (int width : new int[] {3, 5, 2}) {
            initializers.clear();
            List<Node> nodes = new ArrayList<>();
            nodes.add(Node.of("matmul", "MatMul", List.of("input", weight("w", 4, width)), List.of("h"),
                    Attributes.NONE));
            nodes.add(Node.of("bias", "Add", List.of("h", vector("b", width)), List.of("hb"), Attributes.NONE));
            nodes.add(batchNorm("bn", "hb", "normed", 3));
            nodes.add(Node.of("flatten", "Flatten", List.of("normed"), List.of("flat"), Attributes.NONE));
            nodes.add(Node.of("head", "Gemm", List.of("flat", weight("head_w", 3 * width, 2)), List.of("logits"),
                    Attributes.NONE));
            Graph graph = graph(nodes, List.of(-1, 3, 4));

            ExplainableModel merged = ExplainableModel.prepare(graph, true);
            ExplainableModel unmerged = ExplainableModel.prepare(graph, false);

            assertSameLogits(merged, unmerged, new int[] {2, 3, 4}, "width " + width);
            assertTrue(merged.mergedBatchNorms().isEmpty(), "width " + width + ": merged " + merged.mergedBatchNorms());
        }
    }

    /**
     * Two convolutions sharing one weight initializer (tied weights), each followed by its own BatchNorm: both merged
     * weights used to be stored under the same name, so the second merge overwrote the first conv's weights.
     */
    @Test
    void convolutionsSharingAWeightKeepTheirOwnMergedWeights() {
        List<Node> nodes = new ArrayList<>();
        String shared = weight("shared_w", 4, 2, 3, 3);
        Attributes same = new Attributes(Map.of("pads", new long[] {1, 1, 1, 1}));
        nodes.add(Node.of("conv_a", "Conv", List.of("input", shared), List.of("a"), same));
        nodes.add(batchNorm("bn_a", "a", "a_normed", 4));
        nodes.add(Node.of("conv_b", "Conv", List.of("input", shared, vector("conv_b_bias", 4)), List.of("b"), same));
        nodes.add(batchNorm("bn_b", "b", "b_normed", 4));
        nodes.add(Node.of("sum", "Add", List.of("a_normed", "b_normed"), List.of("s"), Attributes.NONE));
        nodes.add(Node.of("relu", "Relu", List.of("s"), List.of("r"), Attributes.NONE));
        nodes.add(Node.of("gap", "GlobalAveragePool", List.of("r"), List.of("g"), Attributes.NONE));
        nodes.add(Node.of("flatten", "Flatten", List.of("g"), List.of("f"), Attributes.NONE));
        nodes.add(Node.of("head", "Gemm", List.of("f", weight("head_w", 4, 3)), List.of("logits"), Attributes.NONE));
        Graph graph = graph(nodes, List.of(-1, 2, 5, 5));

        ExplainableModel merged = ExplainableModel.prepare(graph, true);
        ExplainableModel unmerged = ExplainableModel.prepare(graph, false);

        assertSameLogits(merged, unmerged, new int[] {2, 2, 5, 5}, "tied weights");
        assertEquals(Set.of("bn_a", "bn_b"), merged.mergedBatchNorms().keySet());
    }

    private void assertSameLogits(ExplainableModel merged, ExplainableModel unmerged, int[] inputShape, String what) {
        double[] values = new double[io.lrpsidecar.graph.Shapes.size(inputShape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        Tensor input = Tensor.of(inputShape, values);
        double[] a = forward(merged, input);
        double[] b = forward(unmerged, input);
        double scale = 0;
        for (double value : b) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-9 * scale, what + ": logit " + i);
        }
    }

    private static double[] forward(ExplainableModel model, Tensor input) {
        CompositeParser parser = new CompositeParser(file -> null);
        return new ReferenceExplainer(model, parser.parse("gradient")).forward(input).get(model.logits()).doubles();
    }

    private Graph graph(List<Node> nodes, List<Integer> inputShape) {
        Graph graph = new Graph("bn_merge", 13, nodes, initializers,
                List.of(new ValueInfo("input", ElementType.FLOAT, inputShape)),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, -1))), Map.of());
        return OnnxModelReader.read(OnnxModelWriter.write(graph));
    }

    private Node batchNorm(String name, String input, String output, int channels) {
        List<String> inputs = List.of(input, vector(name + "_scale", channels, 1, 0.5),
                vector(name + "_bias", channels), vector(name + "_mean", channels),
                vector(name + "_var", channels, 1, 0.4));
        return Node.of(name, "BatchNormalization", inputs, List.of(output), Attributes.NONE);
    }

    private String weight(String name, int... shape) {
        return constant(name, shape, 0, 0.5);
    }

    private String vector(String name, int length) {
        return constant(name, new int[] {length}, 0, 0.5);
    }

    private String vector(String name, int length, double mean, double spread) {
        return constant(name, new int[] {length}, mean, spread);
    }

    /** Values {@code mean + spread * N(0, 1)}, kept positive when {@code mean > 0} (scales, variances). */
    private String constant(String name, int[] shape, double mean, double spread) {
        double[] values = new double[io.lrpsidecar.graph.Shapes.size(shape)];
        for (int i = 0; i < values.length; i++) {
            double value = mean + spread * random.nextGaussian();
            values[i] = (float) (mean > 0 ? Math.max(0.1, value) : value);
        }
        initializers.put(name, Tensor.of(shape, values));
        return name;
    }
}
