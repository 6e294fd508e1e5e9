package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.WindowGeometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Winner-takes-all routing for a MaxPool whose windows tile the input (square kernel equal to the stride, no pads,
 * no dilation, sizes divisible by the kernel): the input is rearranged with SpaceToDepth so that the k*k positions
 * of each window become channels, each position is compared with the window's maximum, only the first maximal
 * position (row-major, PyTorch's tie rule) keeps the gradient, and DepthToSpace puts everything back. This needs no
 * MaxPool indices and no ScatterElements, which ONNX Runtime runs single-threaded.
 */
final class WinnerRouting {
    private WinnerRouting() {
    }

    /** Whether windows of this (2-D) geometry tile the input: square kernel equal to the stride, no pads. */
    static boolean tiles(WindowGeometry geometry) {
        int k = geometry.kernel()[0];
        for (int axis = 0; axis < 2; axis++) {
            if (geometry.kernel()[axis] != k || geometry.strides()[axis] != k || geometry.dilations()[axis] != 1
                    || geometry.padsBegin()[axis] != 0 || geometry.padsEnd()[axis] != 0
                    || geometry.inputSize()[axis] % k != 0 || geometry.outputSize()[axis] * k
                            != geometry.inputSize()[axis]) {
                return false;
            }
        }
        return k > 1;
    }

    /**
     * The gradient of the pool input {@code x} (with {@code channels} channels) given the pool output {@code y}, the
     * window size {@code k} and the gradient {@code g} of the output.
     */
    static String route(GraphBuilder b, String x, String y, int channels, long k, String g, String hint) {
        Attributes block = new Attributes(Map.of("blocksize", k));
        String tiles = b.op("SpaceToDepth", hint + "_tiles", block, x);
        List<String> parts = new ArrayList<>();
        int positions = (int) (k * k);
        for (int position = 0; position < positions; position++) {
            parts.add(b.fresh(hint + "_position"));
        }
        long[] sizes = new long[positions];
        java.util.Arrays.fill(sizes, channels);
        b.opWithOutputs("Split", hint + "_split", new Attributes(Map.of("axis", 1L)),
                List.of(tiles, b.longs(hint + "_sizes", sizes)), parts);
        String taken = null;
        List<String> routed = new ArrayList<>();
        for (String position : parts) {
            String isMax = b.op("Equal", hint + "_is_max", position, y);
            String wins = taken == null ? isMax : b.op("And", hint + "_first", isMax,
                    b.op("Not", hint + "_free", taken));
            taken = taken == null ? isMax : b.op("Or", hint + "_taken", taken, isMax);
            routed.add(b.op("Where", hint + "_routed", wins, g, b.scalar("zero", 0)));
        }
        String stacked = b.op("Concat", hint + "_stacked", new Attributes(Map.of("axis", 1L)),
                routed.toArray(String[]::new));
        return b.op("DepthToSpace", hint, block.with("mode", "DCR"), stacked);
    }
}
