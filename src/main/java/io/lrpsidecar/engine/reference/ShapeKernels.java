package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.Arrays;
import java.util.List;

/** Reshape-like ops, Transpose, Concat and zero Pad: they move values; their gradients move them back. */
final class ShapeKernels {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    private ShapeKernels() {
    }

    /** Flatten, Reshape, Squeeze and Unsqueeze: same values, new shape; the gradient is reshaped back. */
    static final class Reshaping implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            return P.reshape(inputs.get(0), Arrays.stream(outputShape(node, inputs)).asLongStream().toArray());
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = P.reshapeLike(outputGradient, inputs.get(0));
            return Arrays.asList(result);
        }

        static int[] outputShape(Node node, List<Tensor> inputs) {
            int[] shape = inputs.get(0).shape();
            return switch (node.opType()) {
                case "Flatten" -> ShapeFunctions.flatten(node, shape);
                case "Reshape" -> ShapeFunctions.reshape(node, shape, inputs.get(1).asLongs());
                case "Squeeze" -> ShapeFunctions.squeeze(node, shape, axes(node, inputs));
                case "Unsqueeze" -> ShapeFunctions.unsqueeze(shape, axes(node, inputs));
                default -> throw new IllegalStateException("not a reshaping op: " + node.describe());
            };
        }

        private static long[] axes(Node node, List<Tensor> inputs) {
            if (inputs.size() > 1 && inputs.get(1) != null) {
                return inputs.get(1).asLongs();
            }
            return node.attributes().getInts("axes").orElse(null);
        }
    }

    /** Transpose by a permutation; the gradient uses the inverse permutation. */
    static final class Transpose implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            return P.transpose(x, ShapeFunctions.permutation(node, x.rank()));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            int[] permutation = ShapeFunctions.permutation(node, inputs.get(0).rank());
            int[] inverse = new int[permutation.length];
            for (int i = 0; i < permutation.length; i++) {
                inverse[permutation[i]] = i;
            }
            return List.of(P.transpose(outputGradient, inverse));
        }
    }

    /** Concat along an axis; the gradient is split back into the inputs' extents. */
    static final class Concat implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            ShapeFunctions.concat(node, inputs.stream().map(Tensor::shape).toList());
            return P.concat(inputs, axis(node, inputs.get(0).rank()));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            int axis = axis(node, outputGradient.rank());
            long[] sizes = inputs.stream().mapToLong(input -> input.dim(axis)).toArray();
            return P.split(outputGradient, axis, sizes);
        }

        private static int axis(Node node, int rank) {
            return Shapes.axis(node.attributes().getInt("axis", 0), rank);
        }
    }

    /** Pad with zeros (mode constant, value 0); the gradient crops the padding away (the negated pads). */
    static final class Pad implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            return P.pad(x, pads(node, inputs, x.rank()));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor x = inputs.get(0);
            long[] cropping = Arrays.stream(pads(node, inputs, x.rank())).map(pad -> -pad).toArray();
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = P.pad(outputGradient, cropping);
            return Arrays.asList(result);
        }

        static long[] pads(Node node, List<Tensor> inputs, int rank) {
            long[] values = inputs.size() > 1 && inputs.get(1) != null ? inputs.get(1).asLongs()
                    : node.attributes().getInts("pads").orElseThrow(() -> new ModelLoadException(
                            "node " + node.describe() + " has no pads"));
            long[] axes = inputs.size() > 3 && inputs.get(3) != null ? inputs.get(3).asLongs() : null;
            return ShapeFunctions.pads(node, rank, values, axes);
        }
    }
}
