package io.lrpsidecar.testing;

import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Builds random but valid classifier graphs (ONNX opset 13) from a {@link Random}: random stacks of the operators the
 * engine supports on image {@code [batch, C, H, W]}, sequence {@code [batch, C, L]} and tabular {@code [batch, F]}
 * inputs, ending in logits {@code [batch, classes]} (sometimes followed by a Softmax).
 *
 * <p>What can appear: Conv 2-D and 1-D with random kernel sizes, strides, explicit (also asymmetric) pads,
 * {@code auto_pad} VALID/SAME_UPPER/SAME_LOWER, dilations and groups (depthwise included); MaxPool (also dilated)
 * and AveragePool with odd and even windows, pads, {@code ceil_mode} and {@code count_include_pad};
 * GlobalAveragePool; residual blocks (two branches from one value, added); Concat along channels (positive or
 * negative axis); zero Pad followed by a convolution; Transpose; Reshape, Flatten, Squeeze, Unsqueeze (axes as
 * inputs); Identity and Dropout; BatchNormalization after Conv, Gemm and MatMul + Add, and standalone; Gemm with
 * {@code transB} either way and random {@code alpha}/{@code beta}; MatMul with or without a bias Add (also on
 * rank-3 values); an input normalisation by constants (Sub/Add, Div/Mul, either operand order where ONNX allows);
 * ReLU, LeakyReLU, Sigmoid and Tanh.
 *
 * <p>Everything is small (input channels at most 3, hidden channels at most 8, spatial sizes at most 12, dense widths
 * at most 16) so that the double-precision reference runs fast. Weights are drawn from {@code N(0, 2 / fan_in)}
 * (He scaling, so activations stay of order one) and rounded to float32, so the graph held here is exactly the graph
 * read back from the ONNX bytes. Every window op is checked to have at least one real (non-padding) input in every
 * window, and the shapes tracked while building are compared with {@link ShapeInference}: a mismatch is a bug of the
 * builder and throws.
 */
public final class RandomModels {
    /** The ONNX operator set the graphs are written for. */
    public static final long OPSET = 13;
    /** The batch size shapes are tracked with while building. */
    private static final int BATCH = 2;
    private static final int MAX_CHANNELS = 8;
    private static final int MAX_WIDTH = 16;

    private RandomModels() {
    }

    /** The kind of input the model takes. */
    public enum InputKind {
        /** {@code [batch, C, H, W]}. */
        IMAGE,
        /** {@code [batch, C, L]}, 1-D convolutions. */
        SEQUENCE,
        /** {@code [batch, F]}. */
        TABULAR
    }

    /** Which hidden activations may appear. */
    public enum Activations {
        RELU_ONLY,
        /** ReLU, LeakyReLU, Sigmoid and Tanh. */
        MIXED
    }

    /** Where BatchNormalization may appear. */
    public enum BatchNorms {
        NONE,
        /** Directly after Conv/Gemm/MatMul layers read by nothing else, so that all of them can be merged. */
        AFTER_LINEAR,
        /** After linear layers and also standalone (at the input, after pools and activations). */
        ANYWHERE
    }

    /**
     * What the generated models may contain.
     *
     * @param input        the input kind
     * @param biases       whether linear layers may have biases (each gets one with probability 0.85)
     * @param activations  which activations appear
     * @param batchNorms   where BatchNormalization appears
     * @param inputScaling whether the model starts with a normalisation by constants (Sub/Add, Div/Mul)
     * @param maxSpatial   the largest input spatial size (height, width, length), at most 12
     * @param maxInputChannels the largest number of input channels, at most 3
     */
    public record Options(InputKind input, boolean biases, Activations activations, BatchNorms batchNorms,
            boolean inputScaling, int maxSpatial, int maxInputChannels) {

        public Options {
            if (maxSpatial < 5 || maxSpatial > 12 || maxInputChannels < 1 || maxInputChannels > 3) {
                throw new IllegalArgumentException("expected 5 <= maxSpatial <= 12 and 1 <= maxInputChannels <= 3");
            }
        }

        /** No biases, no BatchNorm, ReLU only, no constant scaling: every layer can conserve relevance exactly. */
        public static Options biasFreeRelu(InputKind input) {
            return new Options(input, false, Activations.RELU_ONLY, BatchNorms.NONE, false, 12, 3);
        }

        /** ReLU networks, biases as given, BatchNorm only where it is merged into a linear layer. */
        public static Options relu(InputKind input, boolean biases) {
            return new Options(input, biases, Activations.RELU_ONLY, BatchNorms.AFTER_LINEAR, false, 12, 3);
        }

        /** Everything the builder can make. */
        public static Options everything(InputKind input) {
            return new Options(input, true, Activations.MIXED, BatchNorms.ANYWHERE, true, 12, 3);
        }

        public Options withBatchNorms(BatchNorms value) {
            return new Options(input, biases, activations, value, inputScaling, maxSpatial, maxInputChannels);
        }

    }

    /**
     * A generated model.
     *
     * @param graph            the graph as built (equal to what reading {@code onnx} gives)
     * @param onnx             the graph written by {@link OnnxModelWriter}
     * @param rowShape         the input shape of one row (without the batch axis)
     * @param classes          the number of logits
     * @param features         what the model contains, such as {@code conv.grouped} or {@code maxpool.ceil}
     * @param mergeableBatchNorms the BatchNorm nodes placed directly after a Conv/Gemm/MatMul that nothing else reads
     * @param inputLow         the lowest value {@link #randomInput} draws
     * @param inputHigh        the highest value {@link #randomInput} draws
     */
    public record RandomModel(Graph graph, byte[] onnx, int[] rowShape, int classes, Set<String> features,
            Set<String> mergeableBatchNorms, double inputLow, double inputHigh) {

        /** Reads the ONNX bytes the way the product does (fold, canonicalize, merge BatchNorm, check). */
        public ExplainableModel load() {
            return ExplainableModel.load(onnx);
        }

        /** Reads the ONNX bytes and prepares them with BatchNorm merging on or off. */
        public ExplainableModel prepare(boolean mergeBatchNorm) {
            return ExplainableModel.prepare(OnnxModelReader.read(onnx), mergeBatchNorm);
        }

        /** A batch of inputs drawn uniformly from {@code [inputLow, inputHigh]}. */
        public Tensor randomInput(Random random, int batch) {
            int[] shape = new int[rowShape.length + 1];
            shape[0] = batch;
            System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
            double[] values = new double[Shapes.size(shape)];
            for (int i = 0; i < values.length; i++) {
                values[i] = inputLow + (inputHigh - inputLow) * random.nextDouble();
            }
            return Tensor.of(shape, values);
        }

        /** A one-line summary for assertion messages: input shape and the op types in graph order. */
        public String describe() {
            return Arrays.toString(rowShape) + " -> " + classes + ": "
                    + graph.nodes().stream().map(Node::opType).collect(Collectors.joining(" "));
        }
    }

    /** Builds one random model; the same random state and options always give the same model. */
    public static RandomModel build(Random random, Options options) {
        return new Builder(random, options).build();
    }

    /** A value while building: its name and its shape (with batch {@value #BATCH}). */
    private record Value(String name, int[] shape) {
        int rank() {
            return shape.length;
        }

        int channels() {
            return shape[1];
        }

        int spatialRank() {
            return shape.length - 2;
        }

        int size() {
            return Shapes.size(shape);
        }
    }

    /** One spatial axis of a window op: resolved pads and the output size. */
    private record WindowAxis(int begin, int end, int out) {
    }

    private static final class Builder {
        private final Random random;
        private final Options options;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Tensor> initializers = new LinkedHashMap<>();
        private final Map<String, int[]> shapes = new HashMap<>();
        private final Set<String> features = new TreeSet<>();
        private final Set<String> mergeable = new LinkedHashSet<>();
        private int counter;

        Builder(Random random, Options options) {
            this.random = random;
            this.options = options;
        }

        RandomModel build() {
            int[] row = switch (options.input()) {
                case IMAGE -> new int[] {between(1, options.maxInputChannels()), between(4, options.maxSpatial()),
                        between(4, options.maxSpatial())};
                case SEQUENCE -> new int[] {between(1, options.maxInputChannels()), between(5, options.maxSpatial())};
                case TABULAR -> new int[] {between(3, MAX_WIDTH)};
            };
            Value x = new Value("input", withBatch(row));
            shapes.put(x.name(), x.shape());
            double low = -1;
            double high = 1;
            if (options.inputScaling()) {
                x = inputScaling(x);
            }
            if (options.batchNorms() == BatchNorms.ANYWHERE && chance(0.2)) {
                x = batchNorm(x, false, "bn.standalone");
            }
            x = options.input() == InputKind.TABULAR ? tabularBody(x) : spatialBody(x);
            Value logits = denseHead(x);
            String output = logits.name();
            if (chance(0.2)) {
                output = node("Softmax", List.of(logits.name()), Map.of("axis", chance(0.5) ? 1L : -1L),
                        logits.shape()).name();
                features.add("softmax");
            }
            List<Integer> inputShape = new ArrayList<>();
            inputShape.add(-1);
            Arrays.stream(row).forEach(inputShape::add);
            Graph graph = new Graph("random_model", OPSET, nodes, initializers,
                    List.of(new ValueInfo("input", ElementType.FLOAT, inputShape)),
                    List.of(new ValueInfo(output, ElementType.FLOAT, List.of(-1, logits.shape()[1]))), Map.of());
            checkShapes(graph);
            return new RandomModel(graph, OnnxModelWriter.write(graph), row, logits.shape()[1],
                    Collections.unmodifiableSet(features), Collections.unmodifiableSet(mergeable), low, high);
        }

        /** Every node output must have the shape tracked while building, as the engine's shape inference sees it. */
        private void checkShapes(Graph graph) {
            Map<String, int[]> inferred = ShapeInference.infer(graph, BATCH, Ops::shapeRule);
            for (Node node : graph.nodes()) {
                int[] expected = shapes.get(node.output());
                if (!Arrays.equals(expected, inferred.get(node.output()))) {
                    throw new IllegalStateException("RandomModels bug: node " + node.describe() + " "
                            + node.attributes() + " should give " + Arrays.toString(expected)
                            + ", shape inference says " + Arrays.toString(inferred.get(node.output())));
                }
            }
        }

        // ---------------------------------------------------------------------------------------------------------
        // Bodies and heads

        private Value spatialBody(Value x) {
            if (chance(0.2)) {
                x = padConv(x);
            } else {
                x = convBlock(x, between(2, MAX_CHANNELS));
            }
            int blocks = between(1, 3);
            for (int block = 0; block < blocks; block++) {
                x = spatialBlock(x);
            }
            return spatialHead(x);
        }

        private Value spatialBlock(Value x) {
            int largest = Arrays.stream(x.shape(), 2, x.rank()).max().orElse(1);
            while (true) {
                switch (random.nextInt(13)) {
                    case 0, 1 -> {
                        return convBlock(x, between(2, MAX_CHANNELS));
                    }
                    case 2, 3 -> {
                        if (largest >= 2) {
                            return chance(0.5) ? maxPool(x) : avgPool(x);
                        }
                    }
                    case 4, 5 -> {
                        return residual(x);
                    }
                    case 6 -> {
                        if (x.channels() < MAX_CHANNELS) {
                            return concat(x);
                        }
                    }
                    case 7 -> {
                        return padConv(x);
                    }
                    case 8 -> {
                        int choice = random.nextInt(3);
                        if (choice == 0) {
                            return pointwiseMatMul(x);
                        }
                        if (x.rank() == 4) {
                            return choice == 1 ? transposeSpatial(x) : imageToSequence(x);
                        }
                        return sequenceToImage(x);
                    }
                    case 9 -> {
                        if (options.batchNorms() == BatchNorms.ANYWHERE) {
                            return batchNorm(x, false, "bn.standalone");
                        }
                    }
                    case 10 -> {
                        return passThrough(x);
                    }
                    default -> {
                        if (x.rank() == 3 && options.batchNorms() == BatchNorms.ANYWHERE) {
                            return matMulOverLength(x);
                        }
                    }
                }
            }
        }

        private Value spatialHead(Value x) {
            int spatial = x.size() / (BATCH * x.channels());
            int choice = x.size() / BATCH > 600 ? 0 : random.nextInt(4);
            if (spatial == 1 && chance(0.5)) {
                choice = 3;
            }
            switch (choice) {
                case 0, 1 -> {
                    Value pooled = node("GlobalAveragePool", List.of(x.name()), Map.of(),
                            gapShape(x.shape()));
                    features.add("globalavgpool");
                    return toFeatures(pooled);
                }
                default -> {
                    return toFeatures(x);
                }
            }
        }

        /** From {@code [N, C, ...]} to {@code [N, F]}: Flatten, Reshape {@code [0, -1]} or Squeeze of unit axes. */
        private Value toFeatures(Value x) {
            int features = x.size() / BATCH;
            boolean unitSpatial = Arrays.stream(x.shape(), 2, x.rank()).allMatch(dim -> dim == 1);
            int choice = random.nextInt(unitSpatial ? 3 : 2);
            if (choice == 0) {
                this.features.add("flatten");
                return node("Flatten", List.of(x.name()), chance(0.5) ? Map.of() : Map.of("axis", 1L),
                        new int[] {BATCH, features});
            }
            if (choice == 1) {
                this.features.add("reshape");
                return node("Reshape", List.of(x.name(), longs("shape", 0, -1)), Map.of(),
                        new int[] {BATCH, features});
            }
            this.features.add("squeeze");
            long[] axes = x.rank() == 4 ? (chance(0.5) ? new long[] {2, 3} : new long[] {-1, -2}) : new long[] {2};
            return node("Squeeze", List.of(x.name(), longs("axes", axes)), Map.of(), new int[] {BATCH, x.channels()});
        }

        private Value tabularBody(Value x) {
            int blocks = between(1, 3);
            for (int block = 0; block < blocks; block++) {
                x = switch (random.nextInt(8)) {
                    case 0, 1, 2 -> denseBlock(x, between(3, MAX_WIDTH));
                    case 3 -> denseResidual(x);
                    case 4 -> denseConcat(x);
                    case 5 -> tabularToSequence(x);
                    case 6 -> options.batchNorms() == BatchNorms.ANYWHERE ? batchNorm(x, false, "bn.standalone")
                            : passThrough(x);
                    default -> passThrough(x);
                };
            }
            return x;
        }

        /** Optional hidden dense layer(s), then the classifier layer. */
        private Value denseHead(Value x) {
            int hidden = options.batchNorms() != BatchNorms.NONE ? 1 : random.nextInt(2);
            for (int layer = 0; layer < hidden; layer++) {
                Value y = dense(x, between(4, MAX_WIDTH));
                x = activation(options.batchNorms() != BatchNorms.NONE ? batchNormAfterLinear(y) : y);
                if (chance(0.2)) {
                    x = passThrough(x);
                }
            }
            Value logits = dense(x, between(2, 6));
            if (options.batchNorms() != BatchNorms.NONE && chance(0.1)) {
                logits = batchNormAfterLinear(logits);
            }
            return logits;
        }

        // ---------------------------------------------------------------------------------------------------------
        // Blocks

        /** Conv (random geometry), maybe BatchNorm, activation. */
        private Value convBlock(Value x, int outChannels) {
            Value y = conv(x, outChannels, false);
            y = maybeBatchNormAfterLinear(y);
            return activation(y);
        }

        /**
         * Two branches from {@code x}, added: one or two same-size convolutions, and either {@code x} itself, another
         * convolution, or a convolution tied to the first one (reading the same weight initializer, with a bias
         * and BatchNorm of its own).
         */
        private Value residual(Value x) {
            int channels = x.channels();
            Value first = conv(x, channels, true);
            Node firstConv = nodes.get(nodes.size() - 1);
            Value a = maybeBatchNormAfterLinear(first);
            if (chance(0.5)) {
                a = maybeBatchNormAfterLinear(conv(activation(a), channels, true));
            }
            Value b;
            switch (random.nextInt(3)) {
                case 0 -> b = x;
                case 1 -> b = maybeBatchNormAfterLinear(conv(x, channels, true));
                default -> {
                    List<String> inputs = new ArrayList<>(List.of(x.name(), firstConv.input(1)));
                    if (bias()) {
                        inputs.add(gaussian("conv_b", new int[] {channels}, 0.1));
                    }
                    record("conv.tied_weights");
                    b = maybeBatchNormAfterLinear(node("Conv", inputs, firstConv.attributes().values(),
                            first.shape()));
                }
            }
            features.add("residual");
            Value sum = node("Add", chance(0.5) ? List.of(a.name(), b.name()) : List.of(b.name(), a.name()), Map.of(),
                    x.shape());
            return chance(0.8) ? activation(sum) : sum;
        }

        private Value concat(Value x) {
            List<Value> parts = new ArrayList<>();
            int budget = MAX_CHANNELS;
            if (chance(0.3)) {
                parts.add(x);
                budget -= x.channels();
            }
            if (chance(0.3) && budget >= x.channels() + 1 && x.spatialRank() > 0) {
                parts.add(sameMaxPool(x));
                budget -= x.channels();
            }
            while (parts.size() < 2 || (parts.size() < 3 && budget >= 2 && chance(0.3))) {
                if (budget < 1) {
                    break;
                }
                int channels = between(1, Math.min(4, budget - (parts.isEmpty() ? 1 : 0)));
                parts.add(activation(maybeBatchNormAfterLinear(conv(x, channels, true))));
                budget -= channels;
            }
            if (parts.size() < 2) {
                return x;
            }
            int[] shape = parts.get(0).shape().clone();
            shape[1] = parts.stream().mapToInt(Value::channels).sum();
            features.add("concat");
            long axis = chance(0.5) ? 1 : 1 - x.rank();
            return node("Concat", parts.stream().map(Value::name).toList(), Map.of("axis", axis), shape);
        }

        /** Zero Pad (pads as an int64 input), then a convolution without pads of its own. */
        private Value padConv(Value x) {
            int rank = x.rank();
            long[] pads = new long[2 * rank];
            int[] padded = x.shape().clone();
            for (int axis = 2; axis < rank; axis++) {
                pads[axis] = random.nextInt(3);
                pads[axis + rank] = random.nextInt(3);
                padded[axis] += (int) (pads[axis] + pads[axis + rank]);
            }
            features.add("pad");
            List<String> inputs = new ArrayList<>(List.of(x.name(), longs("pads", pads)));
            Map<String, Object> attributes = chance(0.5) ? Map.of() : Map.of("mode", "constant");
            Value y = node("Pad", inputs, attributes, padded);
            return convBlock(y, between(2, MAX_CHANNELS));
        }

        private Value transposeSpatial(Value x) {
            int[] shape = {x.shape()[0], x.shape()[1], x.shape()[3], x.shape()[2]};
            features.add("transpose");
            return node("Transpose", List.of(x.name()), Map.of("perm", new long[] {0, 1, 3, 2}), shape);
        }

        /** {@code [N, C, H, W]} to {@code [N, C, H*W]} by Reshape, when short enough. */
        private Value imageToSequence(Value x) {
            int length = x.shape()[2] * x.shape()[3];
            if (length > 12) {
                return transposeSpatial(x);
            }
            features.add("reshape");
            long[] target = chance(0.5) ? new long[] {0, x.channels(), -1} : new long[] {0, 0, length};
            return node("Reshape", List.of(x.name(), longs("shape", target)), Map.of(),
                    new int[] {BATCH, x.channels(), length});
        }

        /** {@code [N, C, L]} to {@code [N, C, 1, L]} by Unsqueeze (axes input), so 2-D ops follow. */
        private Value sequenceToImage(Value x) {
            features.add("unsqueeze");
            return node("Unsqueeze", List.of(x.name(), longs("axes", chance(0.5) ? 2 : -2)), Map.of(),
                    new int[] {BATCH, x.channels(), 1, x.shape()[2]});
        }

        /**
         * A pointwise dense layer on the channels: Transpose to channels-last ({@code [N, L, C]} or
         * {@code [N, H, W, C]}, a permutation that is not its own inverse for images), MatMul (+ Add) on the last
         * axis, Transpose back.
         */
        private Value pointwiseMatMul(Value x) {
            int rank = x.rank();
            long[] toLast = rank == 3 ? new long[] {0, 2, 1} : new long[] {0, 2, 3, 1};
            long[] toFirst = rank == 3 ? new long[] {0, 2, 1} : new long[] {0, 3, 1, 2};
            int[] lastShape = permuted(x.shape(), toLast);
            Value t = node("Transpose", List.of(x.name()), Map.of("perm", toLast), lastShape);
            Value y = matMul(t, between(2, MAX_CHANNELS));
            features.add("transpose");
            Value back = node("Transpose", List.of(y.name()), Map.of("perm", toFirst), permuted(y.shape(), toFirst));
            return activation(back);
        }

        private static int[] permuted(int[] shape, long[] permutation) {
            int[] out = new int[shape.length];
            for (int i = 0; i < shape.length; i++) {
                out[i] = shape[(int) permutation[i]];
            }
            return out;
        }

        /**
         * MatMul (+ Add) over the length axis of {@code [N, C, L]}, followed by a BatchNormalization over the
         * channels (axis 1), which is not the axis the dense layer's outputs run along: a BatchNorm that cannot be
         * merged, so it only appears with {@link BatchNorms#ANYWHERE}.
         */
        private Value matMulOverLength(Value x) {
            Value y = matMul(x, between(2, 12));
            return activation(batchNorm(y, false, "bn.after_rank3_matmul"));
        }

        private Value tabularToSequence(Value x) {
            features.add("unsqueeze");
            Value s = node("Unsqueeze", List.of(x.name(), longs("axes", 1)), Map.of(),
                    new int[] {BATCH, 1, x.shape()[1]});
            Value y = convBlock(s, between(2, 4));
            if (chance(0.5)) {
                y = convBlock(y, between(2, 4));
            }
            return toFeatures(y);
        }

        private Value denseBlock(Value x, int width) {
            return activation(maybeBatchNormAfterLinear(dense(x, width)));
        }

        private Value denseResidual(Value x) {
            int width = x.shape()[1];
            Value a = maybeBatchNormAfterLinear(dense(x, width));
            if (chance(0.5)) {
                a = dense(activation(a), width);
            }
            Value b = chance(0.5) ? x : dense(x, width);
            features.add("residual");
            Value sum = node("Add", List.of(a.name(), b.name()), Map.of(), x.shape());
            return activation(sum);
        }

        private Value denseConcat(Value x) {
            List<Value> parts = new ArrayList<>();
            if (chance(0.3) && x.shape()[1] <= MAX_WIDTH - 2) {
                parts.add(x);
            }
            int used = parts.isEmpty() ? 0 : x.shape()[1];
            while (parts.size() < 2) {
                int width = between(1, Math.max(1, Math.min(8, MAX_WIDTH - used - 1)));
                parts.add(activation(dense(x, width)));
                used += width;
            }
            features.add("concat");
            int total = parts.stream().mapToInt(part -> part.shape()[1]).sum();
            return node("Concat", parts.stream().map(Value::name).toList(), Map.of("axis", chance(0.5) ? 1L : -1L),
                    new int[] {BATCH, total});
        }

        private Value passThrough(Value x) {
            boolean dropout = chance(0.5);
            features.add(dropout ? "dropout" : "identity");
            return node(dropout ? "Dropout" : "Identity", List.of(x.name()), Map.of(), x.shape());
        }

        // ---------------------------------------------------------------------------------------------------------
        // Layers

        private Value inputScaling(Value x) {
            int channels = x.shape()[1];
            int[] constantShape = switch (random.nextInt(3)) {
                case 0 -> new int[0];
                case 1 -> channelShape(x.rank() - 1, x.rank(), channels);
                default -> channelShape(x.rank(), x.rank(), channels);
            };
            int size = Shapes.size(constantShape);
            double[] mean = new double[size];
            double[] std = new double[size];
            for (int i = 0; i < size; i++) {
                mean[i] = f32(-0.5 + random.nextDouble());
                std[i] = f32(0.5 + 1.5 * random.nextDouble());
            }
            features.add("input.scaling");
            Value centred;
            if (chance(0.5)) {
                centred = node("Sub", List.of(x.name(), constant("mean", constantShape, mean)), Map.of(), x.shape());
            } else {
                double[] negated = Arrays.stream(mean).map(v -> -v).toArray();
                String shift = constant("shift", constantShape, negated);
                centred = node("Add", chance(0.5) ? List.of(x.name(), shift) : List.of(shift, x.name()), Map.of(),
                        x.shape());
            }
            if (chance(0.5)) {
                return node("Div", List.of(centred.name(), constant("std", constantShape, std)), Map.of(), x.shape());
            }
            double[] inverse = Arrays.stream(std).map(v -> f32(1 / v)).toArray();
            String scale = constant("inv_std", constantShape, inverse);
            return node("Mul", chance(0.5) ? List.of(centred.name(), scale) : List.of(scale, centred.name()), Map.of(),
                    x.shape());
        }

        /**
         * A convolution with random geometry; {@code sameSize} keeps the spatial size (stride 1 and "same" padding).
         */
        private Value conv(Value x, int outChannels, boolean sameSize) {
            int inChannels = x.channels();
            int spatial = x.spatialRank();
            int groups = groups(inChannels, outChannels);
            for (int attempt = 0; attempt < 100; attempt++) {
                int[] kernel = new int[spatial];
                int[] strides = new int[spatial];
                int[] dilations = new int[spatial];
                int[] begin = new int[spatial];
                int[] end = new int[spatial];
                String autoPad = "NOTSET";
                if (sameSize) {
                    autoPad = chance(0.4) ? (chance(0.5) ? "SAME_UPPER" : "SAME_LOWER") : "NOTSET";
                } else if (chance(0.3)) {
                    autoPad = switch (random.nextInt(3)) {
                        case 0 -> "VALID";
                        case 1 -> "SAME_UPPER";
                        default -> "SAME_LOWER";
                    };
                }
                for (int axis = 0; axis < spatial; axis++) {
                    int in = x.shape()[2 + axis];
                    dilations[axis] = chance(0.2) ? 2 : 1;
                    strides[axis] = !sameSize && chance(0.3) ? 2 : 1;
                    if (sameSize && autoPad.equals("NOTSET")) {
                        kernel[axis] = chance(0.5) ? 3 : 1;
                        begin[axis] = dilations[axis] * (kernel[axis] - 1) / 2;
                        end[axis] = begin[axis];
                    } else {
                        kernel[axis] = in == 1 ? 1 : between(1, Math.min(in, chance(0.1) ? 5 : 3));
                        int extent = dilations[axis] * (kernel[axis] - 1) + 1;
                        begin[axis] = random.nextInt(extent);
                        end[axis] = chance(0.5) ? begin[axis] : random.nextInt(extent);
                    }
                }
                int[] outShape = x.shape().clone();
                outShape[1] = outChannels;
                boolean valid = true;
                int[] resolvedBegin = new int[spatial];
                int[] resolvedEnd = new int[spatial];
                for (int axis = 0; axis < spatial && valid; axis++) {
                    int in = x.shape()[2 + axis];
                    WindowAxis window = window(in, kernel[axis], strides[axis], dilations[axis], autoPad, begin[axis],
                            end[axis], false);
                    valid = window != null && window.out() <= Math.max(12, in) && (!sameSize || window.out() == in);
                    if (valid) {
                        outShape[2 + axis] = window.out();
                        resolvedBegin[axis] = window.begin();
                        resolvedEnd[axis] = window.end();
                    }
                }
                if (!valid) {
                    continue;
                }
                Map<String, Object> attributes = new LinkedHashMap<>();
                if (chance(0.5)) {
                    attributes.put("kernel_shape", toLongs(kernel));
                }
                if (groups > 1 || chance(0.2)) {
                    attributes.put("group", (long) groups);
                }
                if (autoPad.equals("NOTSET")) {
                    if (Arrays.stream(begin).sum() + Arrays.stream(end).sum() > 0 || chance(0.3)) {
                        attributes.put("pads", concat(toLongs(begin), toLongs(end)));
                    }
                } else {
                    attributes.put("auto_pad", autoPad);
                    features.add("conv.auto_pad");
                }
                if (Arrays.stream(strides).anyMatch(s -> s > 1) || chance(0.3)) {
                    attributes.put("strides", toLongs(strides));
                }
                if (Arrays.stream(dilations).anyMatch(d -> d > 1) || chance(0.2)) {
                    attributes.put("dilations", toLongs(dilations));
                }
                record(spatial == 1 ? "conv1d" : "conv2d");
                if (groups > 1) {
                    record(groups == inChannels && groups == outChannels ? "conv.depthwise" : "conv.grouped");
                }
                if (Arrays.stream(strides).anyMatch(s -> s > 1)) {
                    record("conv.strided");
                }
                if (Arrays.stream(dilations).anyMatch(d -> d > 1)) {
                    record("conv.dilated");
                }
                if (Arrays.stream(resolvedBegin).sum() + Arrays.stream(resolvedEnd).sum() > 0) {
                    record("conv.padded");
                }
                if (!Arrays.equals(resolvedBegin, resolvedEnd)) {
                    record("conv.asymmetric_pads");
                }
                int[] weightShape = new int[2 + spatial];
                weightShape[0] = outChannels;
                weightShape[1] = inChannels / groups;
                System.arraycopy(kernel, 0, weightShape, 2, spatial);
                int fanIn = Shapes.size(weightShape) / outChannels;
                List<String> inputs = new ArrayList<>(List.of(x.name(), gaussian("conv_w", weightShape,
                        Math.sqrt(2.0 / fanIn))));
                if (bias()) {
                    inputs.add(gaussian("conv_b", new int[] {outChannels}, 0.1));
                }
                return node("Conv", inputs, attributes, outShape);
            }
            throw new IllegalStateException("RandomModels bug: no valid convolution for input "
                    + Arrays.toString(x.shape()));
        }

        private int groups(int inChannels, int outChannels) {
            if (chance(0.6)) {
                return 1;
            }
            List<Integer> candidates = new ArrayList<>();
            for (int g = 2; g <= inChannels; g++) {
                if (inChannels % g == 0 && outChannels % g == 0) {
                    candidates.add(g);
                }
            }
            return candidates.isEmpty() ? 1 : candidates.get(random.nextInt(candidates.size()));
        }

        private Value maxPool(Value x) {
            return pool(x, "MaxPool");
        }

        private Value avgPool(Value x) {
            return pool(x, "AveragePool");
        }

        /** MaxPool 3x3 (or 3), stride 1, pads 1: keeps the spatial size, for concat branches. */
        private Value sameMaxPool(Value x) {
            int spatial = x.spatialRank();
            long[] ones = new long[spatial];
            Arrays.fill(ones, 1);
            long[] three = new long[spatial];
            Arrays.fill(three, 3);
            record("maxpool");
            return node("MaxPool", List.of(x.name()), Map.of("kernel_shape", three, "pads", concat(ones, ones),
                    "strides", ones.clone()), x.shape());
        }

        private Value pool(Value x, String op) {
            int spatial = x.spatialRank();
            boolean max = op.equals("MaxPool");
            for (int attempt = 0; attempt < 100; attempt++) {
                int[] kernel = new int[spatial];
                int[] strides = new int[spatial];
                int[] dilations = new int[spatial];
                int[] begin = new int[spatial];
                int[] end = new int[spatial];
                boolean ceil = chance(0.4);
                for (int axis = 0; axis < spatial; axis++) {
                    int in = x.shape()[2 + axis];
                    kernel[axis] = in == 1 ? 1 : between(2, Math.min(3, in));
                    strides[axis] = between(1, Math.max(1, kernel[axis]));
                    dilations[axis] = max && chance(0.15) ? 2 : 1;
                    begin[axis] = random.nextInt(kernel[axis] / 2 + 1);
                    end[axis] = chance(0.5) ? begin[axis] : random.nextInt(kernel[axis] / 2 + 1);
                }
                int[] outShape = x.shape().clone();
                boolean valid = true;
                for (int axis = 0; axis < spatial && valid; axis++) {
                    WindowAxis window = window(x.shape()[2 + axis], kernel[axis], strides[axis], dilations[axis],
                            "NOTSET", begin[axis], end[axis], ceil);
                    valid = window != null;
                    if (valid) {
                        outShape[2 + axis] = window.out();
                    }
                }
                if (!valid) {
                    continue;
                }
                Map<String, Object> attributes = new LinkedHashMap<>();
                attributes.put("kernel_shape", toLongs(kernel));
                attributes.put("strides", toLongs(strides));
                if (Arrays.stream(begin).sum() + Arrays.stream(end).sum() > 0 || chance(0.3)) {
                    attributes.put("pads", concat(toLongs(begin), toLongs(end)));
                    if (Arrays.stream(begin).sum() + Arrays.stream(end).sum() > 0) {
                        record(max ? "maxpool.padded" : "avgpool.padded");
                    }
                }
                if (ceil || chance(0.2)) {
                    attributes.put("ceil_mode", ceil ? 1L : 0L);
                }
                if (ceil) {
                    record(max ? "maxpool.ceil" : "avgpool.ceil");
                }
                if (max && Arrays.stream(dilations).anyMatch(d -> d > 1)) {
                    attributes.put("dilations", toLongs(dilations));
                    record("maxpool.dilated");
                }
                if (Arrays.stream(kernel).anyMatch(k -> k % 2 == 1)) {
                    record(max ? "maxpool.odd" : "avgpool.odd");
                }
                if (!max) {
                    boolean includePad = chance(0.5);
                    if (includePad || chance(0.3)) {
                        attributes.put("count_include_pad", includePad ? 1L : 0L);
                    }
                    if (includePad) {
                        record("avgpool.count_include_pad");
                    }
                }
                record(max ? "maxpool" : "avgpool");
                return node(op, List.of(x.name()), attributes, outShape);
            }
            return x;
        }

        /** A dense layer: Gemm (transB either way, maybe alpha/beta), or MatMul with an optional bias Add. */
        private Value dense(Value x, int width) {
            if (x.rank() != 2 || chance(0.3)) {
                return matMul(x, width);
            }
            int in = x.shape()[1];
            boolean transB = chance(0.5);
            double[] weights = gaussianValues(in * width, Math.sqrt(2.0 / in));
            Map<String, Object> attributes = new LinkedHashMap<>();
            if (chance(0.2)) {
                attributes.put("alpha", chance(0.5) ? 0.5 : 2.0);
                record("gemm.alpha");
            }
            if (transB || chance(0.3)) {
                attributes.put("transB", transB ? 1L : 0L);
            }
            record(transB ? "gemm.transB" : "gemm.noTransB");
            int[] bShape = transB ? new int[] {width, in} : new int[] {in, width};
            List<String> inputs = new ArrayList<>(List.of(x.name(), constant("gemm_w", bShape, weights)));
            if (bias()) {
                if (chance(0.2)) {
                    attributes.put("beta", 0.5);
                    record("gemm.beta");
                }
                inputs.add(chance(0.8) ? gaussian("gemm_b", new int[] {width}, 0.1)
                        : gaussian("gemm_b", new int[] {1, width}, 0.1));
            }
            return node("Gemm", inputs, attributes, new int[] {BATCH, width});
        }

        /** MatMul by a constant {@code [K, width]} on the last axis, plus (maybe) a bias Add in either order. */
        private Value matMul(Value x, int width) {
            int in = x.shape()[x.rank() - 1];
            int[] outShape = x.shape().clone();
            outShape[outShape.length - 1] = width;
            Value product = node("MatMul", List.of(x.name(), gaussian("matmul_w", new int[] {in, width},
                    Math.sqrt(2.0 / in))), Map.of(), outShape);
            record(x.rank() == 2 ? "matmul" : "matmul.rank" + x.rank());
            if (!bias()) {
                return product;
            }
            record("matmul_add");
            String b = gaussian("matmul_b", chance(0.8) ? new int[] {width} : new int[] {1, width}, 0.1);
            return node("Add", chance(0.5) ? List.of(product.name(), b) : List.of(b, product.name()), Map.of(),
                    outShape);
        }

        private Value maybeBatchNormAfterLinear(Value y) {
            if (options.batchNorms() == BatchNorms.NONE || !chance(0.6)) {
                return y;
            }
            return batchNormAfterLinear(y);
        }

        private Value batchNormAfterLinear(Value y) {
            return batchNorm(y, true, null);
        }

        /**
         * Inference BatchNormalization over axis 1 with random statistics; {@code afterLinear} when it directly
         * follows a Conv/Gemm/MatMul(+Add) that nothing else reads (and so must be merged), else recorded as
         * {@code feature}.
         */
        private Value batchNorm(Value x, boolean afterLinear, String feature) {
            int channels = x.channels();
            int[] shape = {channels};
            String scale = constant("bn_scale", shape, values(channels, () -> 1 + 0.3 * random.nextGaussian()));
            String shift = constant("bn_bias", shape, values(channels, () -> 0.2 * random.nextGaussian()));
            String mean = constant("bn_mean", shape, values(channels, () -> 0.3 * random.nextGaussian()));
            String variance = constant("bn_var", shape, values(channels, () -> 0.5 + random.nextDouble()));
            Map<String, Object> attributes = new LinkedHashMap<>();
            if (chance(0.5)) {
                attributes.put("epsilon", f32(chance(0.5) ? 1e-5 : 1e-3));
            }
            if (chance(0.3)) {
                attributes.put("momentum", f32(0.9));
            }
            Value y = node("BatchNormalization", List.of(x.name(), scale, shift, mean, variance), attributes,
                    x.shape());
            if (afterLinear) {
                Node producer = nodes.get(nodes.size() - 2);
                String op = producer.opType();
                boolean fromBias = op.equals("Add");
                if (fromBias) {
                    op = nodes.get(nodes.size() - 3).opType();
                }
                record(op.equals("Conv") ? "bn.after_conv" : op.equals("Gemm") ? "bn.after_gemm" : "bn.after_matmul");
                mergeable.add(nodes.get(nodes.size() - 1).name());
            } else {
                record(feature);
            }
            return y;
        }

        private Value activation(Value x) {
            String op = "Relu";
            Map<String, Object> attributes = Map.of();
            if (options.activations() == Activations.MIXED) {
                switch (random.nextInt(5)) {
                    case 0 -> {
                        op = "LeakyRelu";
                        attributes = chance(0.3) ? Map.of() : Map.of("alpha", f32(0.05 + 0.25 * random.nextDouble()));
                    }
                    case 1 -> op = "Sigmoid";
                    case 2 -> op = "Tanh";
                    default -> op = "Relu";
                }
            }
            record(op.toLowerCase(java.util.Locale.ROOT));
            return node(op, List.of(x.name()), attributes, x.shape());
        }

        // ---------------------------------------------------------------------------------------------------------
        // Geometry

        /**
         * The ONNX window arithmetic of one spatial axis (explicit pads or auto_pad, floor or ceil mode, where a
         * ceil-mode window must start inside the input or its begin padding), or {@code null} when the window does
         * not fit or some window would cover padding only.
         */
        private static WindowAxis window(int in, int kernel, int stride, int dilation, String autoPad, int padBegin,
                int padEnd, boolean ceil) {
            int extent = dilation * (kernel - 1) + 1;
            int begin = padBegin;
            int end = padEnd;
            if (autoPad.equals("VALID")) {
                begin = 0;
                end = 0;
            } else if (autoPad.startsWith("SAME")) {
                int wanted = (in + stride - 1) / stride;
                int total = Math.max(0, (wanted - 1) * stride + extent - in);
                begin = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                end = total - begin;
            }
            int span = in + begin + end - extent;
            if (span < 0) {
                return null;
            }
            int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
            if (ceil && (out - 1) * stride >= in + begin) {
                out--;
            }
            for (int o = 0; o < out; o++) {
                boolean touches = false;
                for (int k = 0; k < kernel && !touches; k++) {
                    int position = o * stride - begin + k * dilation;
                    touches = position >= 0 && position < in;
                }
                if (!touches) {
                    return null;
                }
            }
            return new WindowAxis(begin, end, out);
        }

        private static int[] gapShape(int[] shape) {
            int[] out = shape.clone();
            Arrays.fill(out, 2, out.length, 1);
            return out;
        }

        // ---------------------------------------------------------------------------------------------------------
        // Graph plumbing

        private Value node(String op, List<String> inputs, Map<String, Object> attributes, int[] outShape) {
            String name = op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
            String output = name + "_out";
            nodes.add(Node.of(name, op, inputs, List.of(output), new Attributes(attributes)));
            shapes.put(output, outShape.clone());
            return new Value(output, outShape.clone());
        }

        private String constant(String prefix, int[] shape, double[] values) {
            String name = prefix + "_" + counter++;
            double[] rounded = Arrays.stream(values).map(RandomModels::f32).toArray();
            initializers.put(name, Tensor.of(shape, rounded));
            shapes.put(name, shape.clone());
            return name;
        }

        private String longs(String prefix, long... values) {
            String name = prefix + "_" + counter++;
            initializers.put(name, Tensor.ofLongs(new int[] {values.length}, values.clone()));
            return name;
        }

        private String gaussian(String prefix, int[] shape, double std) {
            return constant(prefix, shape, gaussianValues(Shapes.size(shape), std));
        }

        private double[] gaussianValues(int count, double std) {
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                values[i] = f32(std * random.nextGaussian());
            }
            return values;
        }

        private double[] values(int count, java.util.function.DoubleSupplier supplier) {
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                values[i] = supplier.getAsDouble();
            }
            return values;
        }

        private boolean bias() {
            return options.biases() && chance(0.85);
        }

        private void record(String feature) {
            features.add(feature);
        }

        private boolean chance(double probability) {
            return random.nextDouble() < probability;
        }

        private int between(int low, int high) {
            return low + random.nextInt(high - low + 1);
        }

        private static int[] withBatch(int[] row) {
            int[] shape = new int[row.length + 1];
            shape[0] = BATCH;
            System.arraycopy(row, 0, shape, 1, row.length);
            return shape;
        }

        /** A shape of {@code rank} ones that broadcasts against a value of rank {@code valueRank} on its axis 1. */
        private static int[] channelShape(int rank, int valueRank, int channels) {
            int[] shape = new int[rank];
            Arrays.fill(shape, 1);
            shape[1 - (valueRank - rank)] = channels;
            return shape;
        }

        private static long[] toLongs(int[] values) {
            return Arrays.stream(values).asLongStream().toArray();
        }

        private static long[] concat(long[] a, long[] b) {
            long[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    /** The nearest float32 value, so that what is written to ONNX is exactly what the graph holds. */
    static double f32(double value) {
        return (float) value;
    }
}
