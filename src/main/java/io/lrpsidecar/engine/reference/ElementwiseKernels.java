package io.lrpsidecar.engine.reference;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/** Unary activations, BatchNormalization, the four broadcasting arithmetic ops, and (Log)Softmax. */
final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    /** A unary op given by its function and its derivative, the latter expressed in the input and output. */
    static final class Unary implements Kernel {
        /** The local derivative dy/dx at one element. */
        @FunctionalInterface
        interface Derivative {
            double at(double input, double output, Node node);
        }

        /** The function y = f(x) at one element. */
        @FunctionalInterface
        interface Function {
            double at(double input, Node node);
        }

        private final Function function;
        private final Derivative derivative;

        Unary(Function function, Derivative derivative) {
            this.function = function;
            this.derivative = derivative;
        }

        static Unary relu() {
            return new Unary((x, node) -> Math.max(x, 0), (x, y, node) -> x > 0 ? 1 : 0);
        }

        static Unary leakyRelu() {
            return new Unary((x, node) -> x >= 0 ? x : x * alpha(node), (x, y, node) -> x > 0 ? 1 : alpha(node));
        }

        static Unary sigmoid() {
            return new Unary((x, node) -> 1 / (1 + Math.exp(-x)), (x, y, node) -> y * (1 - y));
        }

        static Unary tanh() {
            return new Unary((x, node) -> Math.tanh(x), (x, y, node) -> 1 - y * y);
        }

        static Unary identity() {
            return new Unary((x, node) -> x, (x, y, node) -> 1);
        }

        private static double alpha(Node node) {
            return node.attributes().getFloat("alpha", 0.01);
        }

        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            return TensorMath.map(inputs.get(0), x -> function.at(x, node));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            double[] x = inputs.get(0).asDoubles();
            double[] y = output.asDoubles();
            double[] g = outputGradient.asDoubles();
            double[] gx = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                gx[i] = g[i] * derivative.at(x[i], y[i], node);
            }
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = Tensor.of(outputGradient.shape(), gx);
            return Arrays.asList(result);
        }
    }

    /** Inference BatchNormalization {@code y = (x - mean) / sqrt(var + eps) * scale + B} over axis 1. */
    static final class BatchNormalization implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            double[] scale = channelScale(node, inputs);
            double[] shift = channelShift(node, inputs, scale);
            Tensor x = inputs.get(0);
            return perChannel(x, (value, channel) -> value * scale[channel] + shift[channel]);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            double[] scale = channelScale(node, inputs);
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = perChannel(outputGradient, (value, channel) -> value * scale[channel]);
            return Arrays.asList(result);
        }

        /** {@code gamma / sqrt(var + eps)} per channel. */
        static double[] channelScale(Node node, List<Tensor> inputs) {
            double epsilon = node.attributes().getFloat("epsilon", 1e-5);
            double[] gamma = inputs.get(1).asDoubles();
            double[] variance = inputs.get(4).asDoubles();
            double[] scale = new double[gamma.length];
            for (int c = 0; c < gamma.length; c++) {
                scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
            }
            return scale;
        }

        /** {@code beta - mean * scale} per channel. */
        static double[] channelShift(Node node, List<Tensor> inputs, double[] scale) {
            double[] beta = inputs.get(2).asDoubles();
            double[] mean = inputs.get(3).asDoubles();
            double[] shift = new double[beta.length];
            for (int c = 0; c < beta.length; c++) {
                shift[c] = beta[c] - mean[c] * scale[c];
            }
            return shift;
        }

        private interface ChannelFunction {
            double apply(double value, int channel);
        }

        private static Tensor perChannel(Tensor x, ChannelFunction function) {
            int channels = x.rank() > 1 ? x.dim(1) : 1;
            int plane = x.size() / Math.max(1, x.dim(0) * channels);
            double[] in = x.asDoubles();
            double[] out = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = function.apply(in[i], (i / plane) % channels);
            }
            return Tensor.of(x.shape(), out);
        }
    }

    /** Add, Sub, Mul, Div with NumPy broadcasting; gradients are reduced back to each input's shape. */
    static final class Binary implements Kernel {
        private final DoubleBinaryOperator function;
        private final String opType;

        Binary(String opType, DoubleBinaryOperator function) {
            this.opType = opType;
            this.function = function;
        }

        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor a = inputs.get(0);
            Tensor b = inputs.get(1);
            int[] shape = Shapes.broadcast(a.shape(), b.shape());
            double[] left = broadcastTo(a, shape);
            double[] right = broadcastTo(b, shape);
            double[] out = new double[left.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = function.applyAsDouble(left[i], right[i]);
            }
            return Tensor.of(shape, out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor a = inputs.get(0);
            Tensor b = inputs.get(1);
            int[] shape = outputGradient.shape();
            double[] g = outputGradient.asDoubles();
            double[] left = broadcastTo(a, shape);
            double[] right = broadcastTo(b, shape);
            double[] ga = new double[g.length];
            double[] gb = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                switch (opType) {
                    case "Add" -> {
                        ga[i] = g[i];
                        gb[i] = g[i];
                    }
                    case "Sub" -> {
                        ga[i] = g[i];
                        gb[i] = -g[i];
                    }
                    case "Mul" -> {
                        ga[i] = g[i] * right[i];
                        gb[i] = g[i] * left[i];
                    }
                    default -> {
                        ga[i] = g[i] / right[i];
                        gb[i] = -g[i] * left[i] / (right[i] * right[i]);
                    }
                }
            }
            return Arrays.asList(reduceTo(ga, shape, a.shape()), reduceTo(gb, shape, b.shape()));
        }

        /** The values of {@code tensor} broadcast to {@code shape}, materialised. */
        static double[] broadcastTo(Tensor tensor, int[] shape) {
            double[] source = tensor.asDoubles();
            if (Arrays.equals(tensor.shape(), shape)) {
                return source;
            }
            int[] sourceStrides = alignedStrides(tensor.shape(), shape.length);
            double[] out = new double[Shapes.size(shape)];
            int[] outStrides = Shapes.strides(shape);
            for (int i = 0; i < out.length; i++) {
                out[i] = source[sourceIndex(i, shape, outStrides, sourceStrides)];
            }
            return out;
        }

        /** Sums a gradient of the broadcast shape back to the input shape. */
        static Tensor reduceTo(double[] gradient, int[] shape, int[] inputShape) {
            if (Arrays.equals(shape, inputShape)) {
                return Tensor.of(inputShape, gradient);
            }
            int[] sourceStrides = alignedStrides(inputShape, shape.length);
            int[] outStrides = Shapes.strides(shape);
            double[] reduced = new double[Shapes.size(inputShape)];
            for (int i = 0; i < gradient.length; i++) {
                reduced[sourceIndex(i, shape, outStrides, sourceStrides)] += gradient[i];
            }
            return Tensor.of(inputShape, reduced);
        }

        /** Strides of a shape right-aligned to a rank, zero along broadcast (size-1 or missing) axes. */
        private static int[] alignedStrides(int[] shape, int rank) {
            int[] own = Shapes.strides(shape);
            int[] aligned = new int[rank];
            int offset = rank - shape.length;
            for (int axis = 0; axis < shape.length; axis++) {
                aligned[axis + offset] = shape[axis] == 1 ? 0 : own[axis];
            }
            return aligned;
        }

        private static int sourceIndex(int flat, int[] shape, int[] strides, int[] sourceStrides) {
            int index = 0;
            for (int axis = 0; axis < shape.length; axis++) {
                int coordinate = (flat / strides[axis]) % shape[axis];
                index += coordinate * sourceStrides[axis];
            }
            return index;
        }
    }

    /** Softmax and LogSoftmax along an axis; only evaluated forward (relevance starts at their input). */
    static final class Softmax implements Kernel {
        private final boolean logarithmic;

        Softmax(boolean logarithmic) {
            this.logarithmic = logarithmic;
        }

        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            int axis = Shapes.axis(node.attributes().getInt("axis", -1), x.rank());
            int inner = 1;
            for (int i = axis + 1; i < x.rank(); i++) {
                inner *= x.dim(i);
            }
            int length = x.dim(axis);
            int outer = x.size() / (inner * length);
            double[] in = x.asDoubles();
            double[] out = new double[in.length];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < length; k++) {
                        max = Math.max(max, in[(o * length + k) * inner + i]);
                    }
                    double sum = 0;
                    for (int k = 0; k < length; k++) {
                        sum += Math.exp(in[(o * length + k) * inner + i] - max);
                    }
                    for (int k = 0; k < length; k++) {
                        int index = (o * length + k) * inner + i;
                        double shifted = in[index] - max;
                        out[index] = logarithmic ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                    }
                }
            }
            return Tensor.of(x.shape(), out);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            throw new IllegalStateException("node " + node.describe()
                    + " ends the graph; relevance starts at its input, so it is never propagated through");
        }
    }
}
