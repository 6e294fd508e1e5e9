package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reshape-like ops, Transpose, Concat and zero Pad: they move values; their gradients move them back. */
final class ShapeKernels {
    private ShapeKernels() {
    }

    /** Flatten, Reshape, Squeeze and Unsqueeze: same values, new shape; the gradient is reshaped back. */
    static final class Reshaping implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            return x.withValues(x.asDoubles()).reshape(outputShape(node, inputs));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = outputGradient.reshape(inputs.get(0).shape());
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
            return permute(x, ShapeFunctions.permutation(node, x.rank()));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            int[] permutation = ShapeFunctions.permutation(node, inputs.get(0).rank());
            int[] inverse = new int[permutation.length];
            for (int i = 0; i < permutation.length; i++) {
                inverse[permutation[i]] = i;
            }
            return Arrays.asList(permute(outputGradient, inverse));
        }

        static Tensor permute(Tensor x, int[] permutation) {
            int[] outShape = ShapeFunctions.transpose(x.shape(), permutation);
            int[] inStrides = Shapes.strides(x.shape());
            int[] outStrides = Shapes.strides(outShape);
            double[] in = x.asDoubles();
            double[] out = new double[in.length];
            for (int i = 0; i < out.length; i++) {
                int source = 0;
                for (int axis = 0; axis < outShape.length; axis++) {
                    source += ((i / outStrides[axis]) % outShape[axis]) * inStrides[permutation[axis]];
                }
                out[i] = in[source];
            }
            return Tensor.of(outShape, out);
        }
    }

    /** Concat along an axis; the gradient is split back into the inputs' extents. */
    static final class Concat implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            List<int[]> shapes = inputs.stream().map(Tensor::shape).toList();
            int[] outShape = ShapeFunctions.concat(node, shapes);
            int axis = Shapes.axis(node.attributes().getInt("axis", 0), outShape.length);
            int outer = outer(outShape, axis);
            int inner = inner(outShape, axis);
            double[] out = new double[Shapes.size(outShape)];
            int offset = 0;
            for (Tensor input : inputs) {
                int extent = input.dim(axis);
                double[] in = input.asDoubles();
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(in, o * extent * inner, out, (o * outShape[axis] + offset) * inner,
                            extent * inner);
                }
                offset += extent;
            }
            return Tensor.of(outShape, out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            int[] outShape = outputGradient.shape();
            int axis = Shapes.axis(node.attributes().getInt("axis", 0), outShape.length);
            int outer = outer(outShape, axis);
            int inner = inner(outShape, axis);
            double[] g = outputGradient.asDoubles();
            List<Tensor> gradients = new ArrayList<>();
            int offset = 0;
            for (Tensor input : inputs) {
                int extent = input.dim(axis);
                double[] part = new double[input.size()];
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(g, (o * outShape[axis] + offset) * inner, part, o * extent * inner,
                            extent * inner);
                }
                gradients.add(Tensor.of(input.shape(), part));
                offset += extent;
            }
            return gradients;
        }

        private static int outer(int[] shape, int axis) {
            int outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= shape[i];
            }
            return outer;
        }

        private static int inner(int[] shape, int axis) {
            int inner = 1;
            for (int i = axis + 1; i < shape.length; i++) {
                inner *= shape[i];
            }
            return inner;
        }
    }

    /** Pad with zeros (mode constant, value 0); the gradient crops the padding away. */
    static final class Pad implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            long[] pads = pads(node, inputs, x.rank());
            int[] outShape = ShapeFunctions.pad(x.shape(), pads);
            double[] out = new double[Shapes.size(outShape)];
            double[] in = x.asDoubles();
            forEachPair(x.shape(), outShape, pads, (inIndex, outIndex) -> out[outIndex] = in[inIndex]);
            return Tensor.of(outShape, out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor x = inputs.get(0);
            long[] pads = pads(node, inputs, x.rank());
            double[] g = outputGradient.asDoubles();
            double[] gx = new double[x.size()];
            forEachPair(x.shape(), outputGradient.shape(), pads, (inIndex, outIndex) -> gx[inIndex] = g[outIndex]);
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = Tensor.of(x.shape(), gx);
            return Arrays.asList(result);
        }

        static long[] pads(Node node, List<Tensor> inputs, int rank) {
            long[] values = inputs.size() > 1 && inputs.get(1) != null ? inputs.get(1).asLongs()
                    : node.attributes().getInts("pads").orElseThrow(() -> new ModelLoadException(
                            "node " + node.describe() + " has no pads"));
            long[] axes = inputs.size() > 3 && inputs.get(3) != null ? inputs.get(3).asLongs() : null;
            return ShapeFunctions.pads(node, rank, values, axes);
        }

        /** Visits each input element with its position in the padded output (negative pads crop). */
        private interface PairVisitor {
            void visit(int inIndex, int outIndex);
        }

        private static void forEachPair(int[] inShape, int[] outShape, long[] pads, PairVisitor visitor) {
            int[] inStrides = Shapes.strides(inShape);
            int[] outStrides = Shapes.strides(outShape);
            int size = Shapes.size(inShape);
            outer:
            for (int i = 0; i < size; i++) {
                int outIndex = 0;
                for (int axis = 0; axis < inShape.length; axis++) {
                    int coordinate = (i / inStrides[axis]) % inShape[axis] + (int) pads[axis];
                    if (coordinate < 0 || coordinate >= outShape[axis]) {
                        continue outer;
                    }
                    outIndex += coordinate * outStrides[axis];
                }
                visitor.visit(i, outIndex);
            }
        }
    }
}
