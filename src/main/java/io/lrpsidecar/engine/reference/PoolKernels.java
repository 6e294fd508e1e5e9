package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Window;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.List;
import java.util.stream.IntStream;

/** MaxPool, AveragePool and GlobalAveragePool over one or two spatial axes. */
final class PoolKernels {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    private PoolKernels() {
    }

    /**
     * MaxPool; the gradient routes each output's gradient to the first maximal element of its window in row-major
     * scan order (PyTorch's tie rule), and overlapping windows add up.
     */
    static final class MaxPool implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            return P.maxPool(inputs.get(0), new Window(node));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            return List.of(P.maxPoolRoute(outputGradient, inputs.get(0), output, new Window(node)));
        }
    }

    /** AveragePool with {@code count_include_pad} either way; the gradient spreads {@code g / divisor}. */
    static final class AveragePool implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            return P.averagePool(inputs.get(0), new Window(node));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            return List.of(P.averagePoolTransposed(outputGradient, new Window(node), inputs.get(0)));
        }
    }

    /** GlobalAveragePool: the mean over all spatial positions of each channel, output {@code [N, C, 1, ...]}. */
    static final class GlobalAveragePool implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            return P.reduceMean(x, spatialAxes(x), true);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor x = inputs.get(0);
            int planeSize = x.size() / Math.max(x.dim(0) * x.dim(1), 1);
            return List.of(P.div(P.expandLike(outputGradient, x), P.scalar(planeSize)));
        }

        private static int[] spatialAxes(Tensor x) {
            return IntStream.range(2, x.rank()).toArray();
        }
    }
}
