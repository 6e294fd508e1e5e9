package io.lrpsidecar.bench;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds image classifiers layer by layer on the project's graph model, with He-initialised random weights from a
 * seeded generator, so benchmark models are reproducible without any download.
 */
final class NetworkBuilder {
    private final Random random;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final int[] inputShape;
    private int counter;

    NetworkBuilder(long seed, int... inputShape) {
        this.random = new Random(seed);
        this.inputShape = inputShape;
    }

    String input() {
        return "input";
    }

    private String name(String kind) {
        return kind + (++counter);
    }

    private Tensor gaussian(int[] shape, double scale) {
        double[] values = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian() * scale;
        }
        return Tensor.of(shape, values);
    }

    private String constant(String name, Tensor value) {
        initializers.put(name, value);
        return name;
    }

    /** A square convolution with bias. */
    String conv(String x, int inChannels, int outChannels, int kernel, int stride, int pad) {
        String name = name("conv");
        String weight = constant(name + ".weight", gaussian(new int[] {outChannels, inChannels, kernel, kernel},
                Math.sqrt(2.0 / (inChannels * kernel * kernel))));
        String bias = constant(name + ".bias", gaussian(new int[] {outChannels}, 0.01));
        return add(name, "Conv", new Attributes(Map.of("kernel_shape", new long[] {kernel, kernel},
                "strides", new long[] {stride, stride}, "pads", new long[] {pad, pad, pad, pad})), x, weight, bias);
    }

    String batchNorm(String x, int channels) {
        String name = name("bn");
        double[] gamma = new double[channels];
        double[] beta = new double[channels];
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = 1 + 0.1 * random.nextGaussian();
            beta[c] = 0.05 * random.nextGaussian();
            mean[c] = 0.05 * random.nextGaussian();
            variance[c] = 1 + 0.1 * Math.abs(random.nextGaussian());
        }
        int[] shape = {channels};
        return add(name, "BatchNormalization", new Attributes(Map.of("epsilon", 1e-5)), x,
                constant(name + ".scale", Tensor.of(shape, gamma)), constant(name + ".B", Tensor.of(shape, beta)),
                constant(name + ".mean", Tensor.of(shape, mean)), constant(name + ".var", Tensor.of(shape, variance)));
    }

    String relu(String x) {
        return add(name("relu"), "Relu", Attributes.NONE, x);
    }

    String maxPool(String x, int kernel, int stride, int pad) {
        return add(name("maxpool"), "MaxPool", new Attributes(Map.of("kernel_shape", new long[] {kernel, kernel},
                "strides", new long[] {stride, stride}, "pads", new long[] {pad, pad, pad, pad})), x);
    }

    String globalAveragePool(String x) {
        return add(name("gap"), "GlobalAveragePool", Attributes.NONE, x);
    }

    String flatten(String x) {
        return add(name("flatten"), "Flatten", new Attributes(Map.of("axis", 1L)), x);
    }

    String residualAdd(String a, String b) {
        return add(name("add"), "Add", Attributes.NONE, a, b);
    }

    String dense(String x, int inFeatures, int outFeatures) {
        String name = name("fc");
        String weight = constant(name + ".weight", gaussian(new int[] {outFeatures, inFeatures},
                Math.sqrt(2.0 / inFeatures)));
        String bias = constant(name + ".bias", gaussian(new int[] {outFeatures}, 0.01));
        return add(name, "Gemm", new Attributes(Map.of("transB", 1L)), x, weight, bias);
    }

    private String add(String name, String opType, Attributes attributes, String... inputs) {
        String output = name + "_out";
        nodes.add(Node.of(name, opType, List.of(inputs), List.of(output), attributes));
        return output;
    }

    Graph build(String graphName, String logits, int classes) {
        List<Integer> input = new ArrayList<>(List.of(-1));
        for (int dim : inputShape) {
            input.add(dim);
        }
        List<Node> renamed = nodes.stream().map(node -> node.outputs().contains(logits)
                ? new Node(node.name(), node.opType(), node.domain(), node.inputs(), List.of("logits"),
                        node.attributes()) : node).toList();
        return new Graph(graphName, 13, renamed, initializers,
                List.of(new ValueInfo("input", ElementType.FLOAT, input)),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, classes))), Map.of());
    }
}
