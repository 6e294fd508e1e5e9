package io.lrpsidecar.testing;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds random transformer classifiers as PyTorch exports them (ONNX opset 14, or 17 for a native LayerNorm): an
 * input of token ids (embedding Gather plus positions, and a padding mask from {@code Equal(ids, 0)} added to the
 * scores) or of float features ({@code [batch, tokens, width]}), then 1 to 3 blocks of multi-head attention (1 to 4
 * heads; MatMul + Add projections, Reshape/Transpose into heads, {@code Q K^T / sqrt(d)}, Softmax, {@code A V}) and a
 * GELU feed-forward, each with a residual sum and a LayerNorm before (pre-norm) or after (post-norm), the LayerNorm
 * decomposed into nine nodes or fused, the GELU as its five-node erf decomposition; a mean over tokens or the first
 * token's row; a Gemm head. With {@code foldedHeads} the attention is laid out as {@code nn.MultiheadAttention}
 * exports it: tokens first, the heads folded into the batch ({@code [T, B * H, d]}, the padding mask expanded per head
 * to {@code [B * H, 1, T]}) and the output projection on {@code [T * B, W]}, so the batch is merged with another axis
 * both batch-major and batch-minor. Weights are seeded and rounded to float32. The width is at least 4: a LayerNorm over two
 * features outputs exactly +-1, so its gradient is 0 and any float32 value of it is rounding noise.
 *
 * @param graph   the classifier
 * @param tokens  whether the input holds token ids
 * @param length  the sequence length
 * @param width   the features per token
 * @param vocabulary the number of token ids
 */
public record RandomTransformers(Graph graph, boolean tokens, int length, int width, int vocabulary) {
    private static final int CLASSES = 3;

    /** The options one model is drawn with. */
    public record Options(boolean tokens, int heads, int depth, boolean preNorm, boolean fusedLayerNorm,
            boolean meanPooling, boolean foldedHeads) {

        public static Options random(Random random) {
            return new Options(random.nextBoolean(), 1 + random.nextInt(4), 1 + random.nextInt(3),
                    random.nextBoolean(), random.nextBoolean(), random.nextBoolean(), random.nextBoolean());
        }

        @Override
        public String toString() {
            return (tokens ? "tokens" : "features") + ", " + heads + " heads, depth " + depth + ", "
                    + (preNorm ? "pre" : "post") + "-norm, " + (fusedLayerNorm ? "fused" : "decomposed")
                    + " LayerNorm, " + (meanPooling ? "mean" : "first-token") + " pooling"
                    + (foldedHeads ? ", heads folded into the batch" : "");
        }
    }

    /** A random input: ids in [2, vocabulary) with trailing padding (0) after the first token, or features. */
    public Tensor randomInput(Random random, int rows) {
        if (tokens) {
            long[] ids = new long[rows * length];
            for (int row = 0; row < rows; row++) {
                int used = 2 + random.nextInt(length - 1);
                for (int t = 0; t < length; t++) {
                    ids[row * length + t] = t == 0 ? 1 : t < used ? 2 + random.nextInt(vocabulary - 2) : 0;
                }
            }
            return Tensor.ofLongs(new int[] {rows, length}, ids);
        }
        double[] values = new double[rows * length * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return Tensor.of(new int[] {rows, length, width}, values);
    }

    public static RandomTransformers build(Random random, Options options) {
        Builder builder = new Builder(random);
        int heads = options.heads();
        int headWidth = Math.max(2 + random.nextInt(3), (4 + heads - 1) / heads);
        int width = heads * headWidth;
        int length = 4 + random.nextInt(4);
        int vocabulary = 12;
        String x;
        String mask = null;
        ValueInfo input;
        if (options.tokens()) {
            input = new ValueInfo("input", ElementType.INT64, List.of(-1, length));
            String embedded = builder.node("Gather", List.of(builder.weight("embedding", vocabulary, width), "input"),
                    Attributes.NONE);
            x = builder.node("Add", List.of(embedded, builder.weight("positions", length, width)), Attributes.NONE);
            String isPad = builder.node("Equal", List.of("input", builder.constant(Tensor.ofLongs(new int[0],
                    new long[] {0}))), Attributes.NONE);
            String asFloat = builder.node("Cast", List.of(isPad), new Attributes(Map.of("to",
                    (long) ElementType.FLOAT.onnxCode())));
            String scaled = builder.node("Mul", List.of(asFloat, builder.constant(Tensor.scalar(-1e9))),
                    Attributes.NONE);
            String once = builder.node("Unsqueeze", List.of(scaled, builder.longs(1)), Attributes.NONE);
            mask = builder.node("Unsqueeze", List.of(once, builder.longs(2)), Attributes.NONE);
        } else {
            input = new ValueInfo("input", ElementType.FLOAT, List.of(-1, length, width));
            x = "input";
        }
        for (int block = 0; block < options.depth(); block++) {
            String normed = options.preNorm() ? builder.layerNorm(x, width, options.fusedLayerNorm()) : x;
            String attended = options.foldedHeads()
                    ? builder.foldedAttention(normed, width, heads, headWidth, length, mask)
                    : builder.attention(normed, width, heads, headWidth, length, mask);
            x = builder.node("Add", List.of(x, attended), Attributes.NONE);
            if (!options.preNorm()) {
                x = builder.layerNorm(x, width, options.fusedLayerNorm());
            }
            normed = options.preNorm() ? builder.layerNorm(x, width, options.fusedLayerNorm()) : x;
            String hidden = builder.gelu(builder.linear(normed, width, 2 * width));
            x = builder.node("Add", List.of(x, builder.linear(hidden, 2 * width, width)), Attributes.NONE);
            if (!options.preNorm()) {
                x = builder.layerNorm(x, width, options.fusedLayerNorm());
            }
        }
        if (options.preNorm()) {
            x = builder.layerNorm(x, width, options.fusedLayerNorm());
        }
        String pooled = options.meanPooling()
                ? builder.node("ReduceMean", List.of(x), new Attributes(Map.of("axes", new long[] {1}, "keepdims",
                        0L)))
                : builder.node("Gather", List.of(x, builder.constant(Tensor.ofLongs(new int[0], new long[] {0}))),
                        new Attributes(Map.of("axis", 1L)));
        builder.nodes.add(Node.of("head", "Gemm", List.of(pooled, builder.weight("head_w", CLASSES, width),
                builder.weight("head_b", CLASSES)), List.of("logits"), new Attributes(Map.of("transB", 1L))));
        Graph graph = new Graph("random_transformer", options.fusedLayerNorm() ? 17 : 14, builder.nodes,
                builder.initializers, List.of(input),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, CLASSES))), Map.of());
        return new RandomTransformers(graph, options.tokens(), length, width, vocabulary);
    }

    /** Accumulates nodes and initializers with fresh names. */
    private static final class Builder {
        private final Random random;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Tensor> initializers = new LinkedHashMap<>();
        private int counter;

        Builder(Random random) {
            this.random = random;
        }

        String fresh(String hint) {
            return hint + "_" + counter++;
        }

        String node(String opType, List<String> inputs, Attributes attributes) {
            String output = fresh(opType.toLowerCase(java.util.Locale.ROOT));
            nodes.add(Node.of(fresh("n_" + opType), opType, inputs, List.of(output), attributes));
            return output;
        }

        String constant(Tensor value) {
            String name = fresh("c");
            initializers.put(name, value);
            return name;
        }

        String longs(long... values) {
            return constant(Tensor.ofLongs(new int[] {values.length}, values));
        }

        /** A float32-rounded weight from {@code N(0, 1 / fan_in)}. */
        String weight(String hint, int... shape) {
            int size = 1;
            for (int dim : shape) {
                size *= dim;
            }
            double scale = shape.length == 2 ? 1 / Math.sqrt(shape[0]) : 0.1;
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                values[i] = (float) (random.nextGaussian() * scale);
            }
            String name = fresh(hint);
            initializers.put(name, Tensor.of(shape, values));
            return name;
        }

        /** {@code x W + b} as MatMul + Add, W of shape [in, out] (as PyTorch exports nn.Linear on rank-3 values). */
        String linear(String x, int in, int out) {
            String product = node("MatMul", List.of(x, weight("w", in, out)), Attributes.NONE);
            return node("Add", List.of(weight("b", out), product), Attributes.NONE);
        }

        String gelu(String x) {
            String scaled = node("Div", List.of(x, constant(Tensor.scalar((float) Math.sqrt(2)))), Attributes.NONE);
            String erf = node("Erf", List.of(scaled), Attributes.NONE);
            String shifted = node("Add", List.of(erf, constant(Tensor.scalar(1))), Attributes.NONE);
            String times = node("Mul", List.of(x, shifted), Attributes.NONE);
            return node("Mul", List.of(times, constant(Tensor.scalar(0.5))), Attributes.NONE);
        }

        String layerNorm(String x, int width, boolean fused) {
            String scale = constant(positive(width));
            String bias = weight("ln_b", width);
            if (fused) {
                return node("LayerNormalization", List.of(x, scale, bias), new Attributes(Map.of("axis", -1L,
                        "epsilon", 1e-5)));
            }
            Attributes lastAxis = new Attributes(Map.of("axes", new long[] {-1}, "keepdims", 1L));
            String mean = node("ReduceMean", List.of(x), lastAxis);
            String centered = node("Sub", List.of(x, mean), Attributes.NONE);
            String squared = node("Pow", List.of(centered, constant(Tensor.scalar(2))), Attributes.NONE);
            String variance = node("ReduceMean", List.of(squared), lastAxis);
            String shifted = node("Add", List.of(variance, constant(Tensor.scalar((float) 1e-5))), Attributes.NONE);
            String std = node("Sqrt", List.of(shifted), Attributes.NONE);
            String normalized = node("Div", List.of(centered, std), Attributes.NONE);
            String scaled = node("Mul", List.of(normalized, scale), Attributes.NONE);
            return node("Add", List.of(scaled, bias), Attributes.NONE);
        }

        private Tensor positive(int width) {
            double[] values = new double[width];
            for (int i = 0; i < width; i++) {
                values[i] = (float) (0.5 + random.nextDouble());
            }
            return Tensor.of(new int[] {width}, values);
        }

        String attention(String x, int width, int heads, int headWidth, int length, String mask) {
            String q = split(linear(x, width, width), heads, headWidth, new long[] {0, 2, 1, 3});
            String k = split(linear(x, width, width), heads, headWidth, new long[] {0, 2, 3, 1});
            String v = split(linear(x, width, width), heads, headWidth, new long[] {0, 2, 1, 3});
            String scores = node("MatMul", List.of(q, k), Attributes.NONE);
            String scaled = node("Div", List.of(scores, constant(Tensor.scalar((float) Math.sqrt(headWidth)))),
                    Attributes.NONE);
            String masked = mask == null ? scaled : node("Add", List.of(scaled, mask), Attributes.NONE);
            String attention = node("Softmax", List.of(masked), new Attributes(Map.of("axis", -1L)));
            String mixed = node("MatMul", List.of(attention, v), Attributes.NONE);
            String merged = node("Transpose", List.of(mixed), new Attributes(Map.of("perm", new long[] {0, 2, 1, 3})));
            String joined = node("Reshape", List.of(merged, longs(0, length, width)), Attributes.NONE);
            return linear(joined, width, width);
        }

        /** Attention as {@code nn.MultiheadAttention} exports it, the heads folded into the batch. */
        String foldedAttention(String x, int width, int heads, int headWidth, int length, String mask) {
            String tokensFirst = transpose(x, 1, 0, 2);
            String q = fold(linear(tokensFirst, width, width), length, headWidth, new long[] {1, 0, 2});
            String k = fold(linear(tokensFirst, width, width), length, headWidth, new long[] {1, 2, 0});
            String v = fold(linear(tokensFirst, width, width), length, headWidth, new long[] {1, 0, 2});
            String scores = node("MatMul", List.of(q, k), Attributes.NONE);
            String scaled = node("Div", List.of(scores, constant(Tensor.scalar((float) Math.sqrt(headWidth)))),
                    Attributes.NONE);
            String masked = scaled;
            if (mask != null) {
                String perHead = node("Expand", List.of(mask, longs(1, heads, 1, 1)), Attributes.NONE);
                String foldedMask = node("Reshape", List.of(perHead, longs(-1, 1, length)), Attributes.NONE);
                masked = node("Add", List.of(scaled, foldedMask), Attributes.NONE);
            }
            String attention = node("Softmax", List.of(masked), new Attributes(Map.of("axis", -1L)));
            String mixed = node("MatMul", List.of(attention, v), Attributes.NONE);
            String rows = node("Reshape", List.of(transpose(mixed, 1, 0, 2), longs(-1, width)), Attributes.NONE);
            String projected = linear(rows, width, width);
            String unfolded = node("Reshape", List.of(projected, longs(length, -1, width)), Attributes.NONE);
            return transpose(unfolded, 1, 0, 2);
        }

        /** {@code [T, B, W] -> [T, B * H, d]}, then permuted. */
        private String fold(String x, int length, int headWidth, long[] permutation) {
            String reshaped = node("Reshape", List.of(x, longs(length, -1, headWidth)), Attributes.NONE);
            return node("Transpose", List.of(reshaped), new Attributes(Map.of("perm", permutation)));
        }

        private String transpose(String x, long... permutation) {
            return node("Transpose", List.of(x), new Attributes(Map.of("perm", permutation)));
        }

        private String split(String x, int heads, int headWidth, long[] permutation) {
            String reshaped = node("Reshape", List.of(x, longs(0, 0, heads, headWidth)), Attributes.NONE);
            return node("Transpose", List.of(reshaped), new Attributes(Map.of("perm", permutation)));
        }
    }
}
