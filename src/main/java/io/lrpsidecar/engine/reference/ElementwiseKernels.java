package io.lrpsidecar.engine.reference;

import static io.lrpsidecar.tensor.Comparison.GE;
import static io.lrpsidecar.tensor.Comparison.GT;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Unary;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Unary activations, BatchNormalization, the four broadcasting arithmetic ops, and (Log)Softmax. */
final class ElementwiseKernels {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    private ElementwiseKernels() {
    }

    /** A unary op given by its function and its vector-Jacobian product in the input, output and gradient. */
    static final class Activation implements Kernel {
        /** The function {@code y = f(x)}. */
        @FunctionalInterface
        interface Function {
            Tensor apply(Tensor x, Node node);
        }

        /** The gradient of the input, {@code g * f'(x)}, with {@code y = f(x)} at hand. */
        @FunctionalInterface
        interface Gradient {
            Tensor apply(Tensor x, Tensor y, Tensor g, Node node);
        }

        private final Function function;
        private final Gradient gradient;

        Activation(Function function, Gradient gradient) {
            this.function = function;
            this.gradient = gradient;
        }

        static Activation relu() {
            return new Activation((x, node) -> P.unary(Unary.POSITIVE, x),
                    (x, y, g, node) -> P.where(P.compare(GT, x, P.scalar(0)), g, P.scalar(0)));
        }

        static Activation leakyRelu() {
            return new Activation(
                    (x, node) -> P.where(P.compare(GE, x, P.scalar(0)), x, P.mul(x, P.scalar(alpha(node)))),
                    (x, y, g, node) -> P.where(P.compare(GT, x, P.scalar(0)), g, P.mul(g, P.scalar(alpha(node)))));
        }

        static Activation sigmoid() {
            return new Activation((x, node) -> P.unary(Unary.SIGMOID, x),
                    (x, y, g, node) -> P.mul(g, P.mul(y, P.sub(P.scalar(1), y))));
        }

        static Activation tanh() {
            return new Activation((x, node) -> P.unary(Unary.TANH, x),
                    (x, y, g, node) -> P.mul(g, P.sub(P.scalar(1), P.mul(y, y))));
        }

        static Activation identity() {
            return new Activation((x, node) -> x, (x, y, g, node) -> g);
        }

        private static double alpha(Node node) {
            return node.attributes().getFloat("alpha", 0.01);
        }

        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            return function.apply(inputs.get(0), node);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = gradient.apply(inputs.get(0), output, outputGradient, node);
            return Arrays.asList(result);
        }
    }

    /**
     * Inference BatchNormalization {@code y = (x - mean) / sqrt(var + eps) * scale + B} over axis 1, computed as
     * {@code x * s + t} with {@code s = scale / sqrt(var + eps)} and {@code t = B - mean * s} per channel.
     */
    static final class BatchNormalization implements Kernel {
        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor x = inputs.get(0);
            Tensor scale = channelScale(node, inputs);
            Tensor shift = P.sub(inputs.get(2), P.mul(inputs.get(3), scale));
            return P.add(P.mul(x, perChannel(scale, x)), perChannel(shift, x));
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor[] result = new Tensor[inputs.size()];
            result[0] = P.mul(outputGradient, perChannel(channelScale(node, inputs), inputs.get(0)));
            return Arrays.asList(result);
        }

        /** {@code gamma / sqrt(var + eps)} per channel. */
        private static Tensor channelScale(Node node, List<Tensor> inputs) {
            double epsilon = node.attributes().getFloat("epsilon", 1e-5);
            return P.div(inputs.get(1), P.unary(Unary.SQRT, P.add(inputs.get(4), P.scalar(epsilon))));
        }

        /** A per-channel vector shaped {@code [C, 1, ...]} to broadcast along axis 1 of {@code x}. */
        private static Tensor perChannel(Tensor values, Tensor x) {
            long[] shape = new long[Math.max(x.rank() - 1, 1)];
            Arrays.fill(shape, 1);
            shape[0] = -1;
            return P.reshape(values, shape);
        }
    }

    /** Add, Sub, Mul, Div with NumPy broadcasting; gradients are summed back to each input's shape. */
    static final class Binary implements Kernel {
        private final String opType;

        Binary(String opType) {
            this.opType = opType;
        }

        @Override
        public Tensor forward(Node node, List<Tensor> inputs) {
            Tensor a = inputs.get(0);
            Tensor b = inputs.get(1);
            return switch (opType) {
                case "Add" -> P.add(a, b);
                case "Sub" -> P.sub(a, b);
                case "Mul" -> P.mul(a, b);
                default -> P.div(a, b);
            };
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            Tensor a = inputs.get(0);
            Tensor b = inputs.get(1);
            Tensor g = outputGradient;
            Tensor ga;
            Tensor gb;
            switch (opType) {
                case "Add" -> {
                    ga = g;
                    gb = g;
                }
                case "Sub" -> {
                    ga = g;
                    gb = P.unary(Unary.NEG, g);
                }
                case "Mul" -> {
                    ga = P.mul(g, b);
                    gb = P.mul(g, a);
                }
                default -> {
                    ga = P.div(g, b);
                    gb = P.div(P.mul(P.unary(Unary.NEG, g), a), P.mul(b, b));
                }
            }
            return Arrays.asList(sumTo(ga, a), sumTo(gb, b));
        }

        /** Sums a gradient of the broadcast shape back to the shape of {@code input}. */
        private static Tensor sumTo(Tensor gradient, Tensor input) {
            int[] shape = gradient.shape();
            int[] inputShape = input.shape();
            if (Arrays.equals(shape, inputShape)) {
                return gradient;
            }
            int offset = shape.length - inputShape.length;
            List<Integer> axes = new ArrayList<>();
            for (int axis = 0; axis < shape.length; axis++) {
                if (axis < offset || inputShape[axis - offset] == 1) {
                    axes.add(axis);
                }
            }
            Tensor summed = P.reduceSum(gradient, axes.stream().mapToInt(Integer::intValue).toArray(), true);
            return P.reshapeLike(summed, input);
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
            return logarithmic ? P.logSoftmax(x, axis) : P.softmax(x, axis);
        }

        @Override
        public List<Tensor> backward(Node node, List<Tensor> inputs, Tensor output, Tensor outputGradient) {
            throw new IllegalStateException("node " + node.describe()
                    + " ends the graph; relevance starts at its input, so it is never propagated through");
        }
    }
}
