package io.lrpsidecar.app;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Image classifiers made in the test with the project's own graph types and ONNX writer (no Python): one whose
 * relevance is known in advance, and one of ImageNet's input size.
 */
final class SyntheticImageModels {
    /** Side of the {@link #topLeftBand()} model's one-channel input. */
    static final int BAND_SIDE = 16;
    /** Rows (from the top) of the band that carries weight. */
    static final int BAND_ROWS = 4;
    /** Columns (from the left) of the band that carries weight. */
    static final int BAND_COLUMNS = 8;
    /** Side of the {@link #rgb224(long)} model's three-channel input. */
    static final int RGB_SIDE = 224;
    private static final long OPSET = 13;

    private SyntheticImageModels() {
    }

    /**
     * A linear classifier of {@code [batch, 1, 16, 16]} images into two classes whose class 0 weighs only the pixels
     * in rows 0..3 and columns 0..7 (a band wider than tall in the top-left corner, so a transposed or flipped
     * drawing is told apart) with weight 1, and class 1 nothing. For a positive input class 0 wins, and with the
     * epsilon rule all of its relevance lies in the band, none elsewhere.
     */
    static byte[] topLeftBand() {
        int pixels = BAND_SIDE * BAND_SIDE;
        double[] weights = new double[2 * pixels];
        for (int row = 0; row < BAND_ROWS; row++) {
            for (int column = 0; column < BAND_COLUMNS; column++) {
                weights[row * BAND_SIDE + column] = 1;
            }
        }
        List<Node> nodes = List.of(
                Node.of("flatten", "Flatten", List.of("input"), List.of("flat"), Attributes.NONE),
                Node.of("dense", "Gemm", List.of("flat", "dense.weight", "dense.bias"), List.of("logits"),
                        Attributes.NONE.with("transB", 1L)));
        Graph graph = new Graph("top_left_band", OPSET, nodes, Map.of(
                "dense.weight", Tensor.of(new int[] {2, pixels}, weights),
                "dense.bias", Tensor.zeros(new int[] {2})),
                List.of(new ValueInfo("input", ElementType.FLOAT, List.of(-1, 1, BAND_SIDE, BAND_SIDE))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
        return OnnxModelWriter.write(graph);
    }

    /**
     * A small convolutional classifier of {@code [batch, 3, 224, 224]} images into ten classes: an 8x8 convolution of
     * stride 8 to four channels, ReLU, and a dense layer; weights drawn from {@code N(0, 2 / fan_in)} with the seed
     * given (rounded to float32).
     */
    static byte[] rgb224(long seed) {
        Random random = new Random(seed);
        int kernel = 8;
        int channels = 4;
        int side = RGB_SIDE / kernel;
        int flat = channels * side * side;
        List<Node> nodes = List.of(
                Node.of("conv", "Conv", List.of("input", "conv.weight", "conv.bias"), List.of("conv.out"),
                        Attributes.NONE.with("kernel_shape", new long[] {kernel, kernel})
                                .with("strides", new long[] {kernel, kernel})),
                Node.of("relu", "Relu", List.of("conv.out"), List.of("relu.out"), Attributes.NONE),
                Node.of("flatten", "Flatten", List.of("relu.out"), List.of("flat"), Attributes.NONE),
                Node.of("dense", "Gemm", List.of("flat", "dense.weight", "dense.bias"), List.of("logits"),
                        Attributes.NONE.with("transB", 1L)));
        Graph graph = new Graph("rgb224", OPSET, nodes, Map.of(
                "conv.weight", he(random, new int[] {channels, 3, kernel, kernel}, 3 * kernel * kernel),
                "conv.bias", Tensor.zeros(new int[] {channels}),
                "dense.weight", he(random, new int[] {10, flat}, flat),
                "dense.bias", Tensor.zeros(new int[] {10})),
                List.of(new ValueInfo("input", ElementType.FLOAT, List.of(-1, 3, RGB_SIDE, RGB_SIDE))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 10))), Map.of());
        return OnnxModelWriter.write(graph);
    }

    private static Tensor he(Random random, int[] shape, int fanIn) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        double[] values = new double[size];
        double deviation = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextGaussian() * deviation);
        }
        return Tensor.of(shape, values);
    }
}
