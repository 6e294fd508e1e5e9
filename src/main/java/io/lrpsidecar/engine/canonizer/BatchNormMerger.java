package io.lrpsidecar.engine.canonizer;

import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.graph.Names;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * zennit's {@code SequentialMergeBatchNorm} on ONNX graphs: a BatchNormalization whose input is the output of a
 * Conv or Dense layer read by nothing else is folded into that layer,
 * <pre>
 *   s  = gamma / sqrt(running_var + eps)        (per output channel)
 *   W' = W * s                                  (along the output-channel axis)
 *   b' = (b - running_mean) * s + beta
 * </pre>
 * and removed; the layer then writes the BatchNorm's output. A BatchNorm that follows no linear layer stays (and
 * gets the pass rule). The rules that clamp the bias then see the merged bias.
 * <p>
 * BatchNorm normalises axis 1. A Conv's output channels are axis 1, but a Dense layer's output features are its last
 * axis, so a BatchNorm is merged into a Dense layer only when the Dense output is known to be {@code [N, features]}
 * (a Dense on {@code [N, C, L]} followed by a BatchNorm over {@code C} stays unmerged). The merged weight and bias
 * get names of their own, so layers sharing a weight (tied weights) keep their own merged copies.
 */
public final class BatchNormMerger {
    private BatchNormMerger() {
    }

    /** The merged graph and which BatchNorm went into which layer. */
    public record Result(Graph graph, Map<String, String> mergedInto) {
    }

    public static Result merge(Graph graph) {
        Map<String, Tensor> constants = new LinkedHashMap<>(graph.initializers());
        Map<String, Integer> uses = graph.useCounts();
        Map<String, int[]> shapes = shapesIfKnown(graph);
        Map<String, Node> replaced = new HashMap<>();
        Map<String, String> mergedInto = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node.opType().equals("BatchNormalization") && mergeable(graph, node, uses, constants, shapes)) {
                Node layer = replaced.getOrDefault(node.input(0), graph.producer(node.input(0)).orElseThrow());
                Node merged = mergeInto(layer, node, constants);
                nodes.set(nodes.indexOf(layer), merged);
                replaced.remove(node.input(0));
                replaced.put(node.output(), merged);
                mergedInto.put(node.name(), layer.name());
            } else {
                nodes.add(node);
                replaced.put(node.output(), node);
            }
        }
        return new Result(graph.with(nodes, constants).pruned(), mergedInto);
    }

    /** The shape of every value for a batch of one, or an empty map when they cannot be inferred. */
    private static Map<String, int[]> shapesIfKnown(Graph graph) {
        try {
            return ShapeInference.infer(graph, 1, Ops::shapeRule);
        } catch (RuntimeException unknownShapes) {
            // Input dimensions left open, or an op without a shape rule (the support check reports those later).
            return Map.of();
        }
    }

    private static boolean mergeable(Graph graph, Node batchNorm, Map<String, Integer> uses,
            Map<String, Tensor> constants, Map<String, int[]> shapes) {
        for (int i = 1; i <= 4; i++) {
            if (!constants.containsKey(batchNorm.input(i))) {
                return false;
            }
        }
        return graph.producer(batchNorm.input(0))
                .filter(layer -> layer.opType().equals("Conv") || layer.opType().equals("Dense"))
                .filter(layer -> constants.containsKey(layer.input(1)) && constants.containsKey(layer.input(2)))
                .filter(layer -> uses.getOrDefault(layer.output(), 0) == 1)
                .filter(layer -> normalisesOutputFeatures(layer, shapes))
                .filter(layer -> parametersPerOutput(batchNorm, layer, constants))
                .isPresent();
    }

    /**
     * Whether the BatchNorm's axis 1 is the axis the layer's outputs run along: always for Conv; for Dense (which
     * acts on the last axis) only when its output is known to be 2-D.
     */
    private static boolean normalisesOutputFeatures(Node layer, Map<String, int[]> shapes) {
        if (layer.opType().equals("Conv")) {
            return true;
        }
        int[] shape = shapes.get(layer.output());
        return shape != null && shape.length == 2;
    }

    /** Whether the BatchNorm has one scale, shift, mean and variance per output channel of the layer. */
    private static boolean parametersPerOutput(Node batchNorm, Node layer, Map<String, Tensor> constants) {
        int channels = constants.get(layer.input(1)).dim(0);
        for (int i = 1; i <= 4; i++) {
            if (constants.get(batchNorm.input(i)).size() != channels) {
                return false;
            }
        }
        return constants.get(layer.input(2)).size() == channels;
    }

    private static Node mergeInto(Node layer, Node batchNorm, Map<String, Tensor> constants) {
        double epsilon = batchNorm.attributes().getFloat("epsilon", 1e-5);
        double[] gamma = constants.get(batchNorm.input(1)).asDoubles();
        double[] beta = constants.get(batchNorm.input(2)).asDoubles();
        double[] mean = constants.get(batchNorm.input(3)).asDoubles();
        double[] variance = constants.get(batchNorm.input(4)).asDoubles();
        Tensor weight = constants.get(layer.input(1));
        Tensor bias = constants.get(layer.input(2));
        int channels = weight.dim(0);
        int perChannel = weight.size() / channels;
        double[] w = weight.asDoubles().clone();
        double[] b = bias.asDoubles().clone();
        for (int c = 0; c < channels; c++) {
            double scale = gamma[c] / Math.sqrt(variance[c] + epsilon);
            for (int i = 0; i < perChannel; i++) {
                w[c * perChannel + i] *= scale;
            }
            b[c] = (b[c] - mean[c]) * scale + beta[c];
        }
        String weightName = Names.unique(layer.input(1) + "_bn_merged", constants);
        String biasName = Names.unique(layer.input(2) + "_bn_merged", constants);
        constants.put(weightName, weight.withValues(w));
        constants.put(biasName, bias.withValues(b));
        return new Node(layer.name(), layer.opType(), layer.domain(),
                List.of(layer.input(0), weightName, biasName), batchNorm.outputs(), layer.attributes());
    }
}
