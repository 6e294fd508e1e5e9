package io.lrpsidecar.tensor;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.WindowGeometry;

/**
 * The sliding window of a Conv, MaxPool or AveragePool node: its attributes (strides, pads or {@code auto_pad},
 * dilations, {@code ceil_mode}, {@code group}, {@code count_include_pad}), resolved against an input shape by
 * {@link #geometry}.
 *
 * @param node the node whose attributes define the window
 */
public record Window(Node node) {

    /** The resolved geometry for an input {@code [N, C, spatial...]} and a spatial kernel shape. */
    public WindowGeometry geometry(int[] inputShape, long[] kernelShape) {
        return WindowGeometry.of(node, inputShape, kernelShape);
    }

    /** The geometry of a pool, whose kernel is the {@code kernel_shape} attribute. */
    public WindowGeometry poolGeometry(int[] inputShape) {
        long[] kernel = node.attributes().getInts("kernel_shape").orElseThrow(() -> new ModelLoadException(
                "node " + node.describe() + " has no kernel_shape"));
        return geometry(inputShape, kernel);
    }

    /** The number of convolution groups (attribute {@code group}, default 1). */
    public int groups() {
        return (int) node.attributes().getInt("group", 1);
    }

    /** Whether an average divides by the whole window, pads included ({@code count_include_pad}). */
    public boolean countIncludePad() {
        return node.attributes().getInt("count_include_pad", 0) != 0;
    }
}
