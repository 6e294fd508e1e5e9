package io.lrpsidecar.tensor.doubles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.Unary;
import io.lrpsidecar.tensor.Window;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The double-precision primitives on small hand-computed cases, and each transposed primitive against its forward
 * one by the adjoint identity {@code <f(x), s> = <x, f^T(s)>} on random tensors with fixed seeds. (The primitives the
 * reference kernels use are also covered end to end by the zennit reference and property tests.)
 */
class DoublePrimitivesTest {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    private static Tensor tensor(int[] shape, double... values) {
        return Tensor.of(shape, values);
    }

    private static Tensor random(Random random, int... shape) {
        double[] values = new double[Shapes.size(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return Tensor.of(shape, values);
    }

    private static double dot(Tensor a, Tensor b) {
        assertArrayEquals(a.shape(), b.shape(), "shapes of the adjoint pair");
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += a.asDoubles()[i] * b.asDoubles()[i];
        }
        return sum;
    }

    private static void assertAdjoint(double forward, double transposed) {
        assertEquals(forward, transposed, 1e-9 * Math.max(1, Math.abs(forward)),
                "<f(x), s> and <x, f^T(s)> differ");
    }

    @Test
    void binaryOpsBroadcastLikeNumpy() {
        Tensor column = tensor(new int[] {2, 1}, 1, 2);
        Tensor row = tensor(new int[] {3}, 10, 20, 30);
        Tensor sum = P.add(column, row);
        assertArrayEquals(new int[] {2, 3}, sum.shape());
        assertArrayEquals(new double[] {11, 21, 31, 12, 22, 32}, sum.asDoubles());
        assertArrayEquals(new double[] {-9, -19, -29, -8, -18, -28}, P.sub(column, row).asDoubles());
        assertArrayEquals(new double[] {0.5, 1}, P.div(column, P.scalar(2)).asDoubles());
        assertThrows(RuntimeException.class, () -> P.mul(row, tensor(new int[] {2}, 1, 2)));
    }

    @Test
    void sliceLikeCutsToTheOtherTensorsLength() {
        Tensor perRow = tensor(new int[] {3, 2}, 1, 2, 3, 4, 5, 6);
        Tensor batchOfTwo = Tensor.zeros(new int[] {2, 2});
        Tensor cut = P.sliceLike(perRow, batchOfTwo, 0);
        assertArrayEquals(new int[] {2, 2}, cut.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4}, cut.asDoubles());
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> P.sliceLike(batchOfTwo, perRow, 0));
        assertEquals("cannot cut axis 0 of [2, 2] to 3 entries: it has only 2", tooShort.getMessage());
    }

    @Test
    void unaryFunctionsAndComparisons() {
        Tensor x = tensor(new int[] {4}, -2, -0.5, 0, 4);
        assertArrayEquals(new double[] {2, 0.5, -0.0, -4}, P.unary(Unary.NEG, x).asDoubles());
        assertArrayEquals(new double[] {0, 0, 0, 4}, P.unary(Unary.POSITIVE, x).asDoubles());
        assertArrayEquals(new double[] {-2, -0.5, 0, 0}, P.unary(Unary.NEGATIVE, x).asDoubles());
        assertArrayEquals(new double[] {2, 0.5, 0, 4}, P.unary(Unary.ABS, x).asDoubles());
        assertArrayEquals(new double[] {4, 0.25, 0, 16}, P.unary(Unary.SQUARE, x).asDoubles());
        assertArrayEquals(new double[] {-0.5, -2, Double.POSITIVE_INFINITY, 0.25},
                P.unary(Unary.RECIPROCAL, x).asDoubles());
        Tensor positive = tensor(new int[] {2}, 1, 4);
        assertArrayEquals(new double[] {1, 2}, P.unary(Unary.SQRT, positive).asDoubles());
        assertArrayEquals(new double[] {0, Math.log(4)}, P.unary(Unary.LOG, positive).asDoubles());
        assertArrayEquals(new double[] {Math.E, Math.exp(4)}, P.unary(Unary.EXP, positive).asDoubles());
        assertArrayEquals(new double[] {Math.tanh(1), Math.tanh(4)}, P.unary(Unary.TANH, positive).asDoubles());
        assertArrayEquals(new double[] {1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-4))},
                P.unary(Unary.SIGMOID, positive).asDoubles());
        Tensor zero = P.scalar(0);
        assertArrayEquals(new double[] {0, 0, 0, 1}, P.compare(Comparison.GT, x, zero).asDoubles());
        assertArrayEquals(new double[] {0, 0, 1, 1}, P.compare(Comparison.GE, x, zero).asDoubles());
        assertArrayEquals(new double[] {1, 1, 0, 0}, P.compare(Comparison.LT, x, zero).asDoubles());
        assertArrayEquals(new double[] {1, 1, 1, 0}, P.compare(Comparison.LE, x, zero).asDoubles());
        assertArrayEquals(new double[] {0, 0, 1, 0}, P.compare(Comparison.EQ, x, zero).asDoubles());
        assertArrayEquals(new double[] {-1, -1, 7, 7},
                P.where(P.compare(Comparison.GE, x, zero), P.scalar(7), P.scalar(-1)).asDoubles());
    }

    @Test
    void stabilizersKeepTheSignOrAddEpsilon() {
        Tensor z = tensor(new int[] {3}, -1, 0, 2);
        assertArrayEquals(new double[] {-1.5, 0.5, 2.5}, Stabilizer.ZENNIT.stabilize(P, z, 0.5).asDoubles());
        assertArrayEquals(new double[] {-0.5, 0.5, 2.5}, Stabilizer.LXT.stabilize(P, z, 0.5).asDoubles());
        assertArrayEquals(new double[] {-2, 6, 2}, Stabilizer.ZENNIT.divide(P, tensor(new int[] {3}, 3, 3, 5), z, 0.5)
                .asDoubles(), 1e-15);
    }

    @Test
    void matMulBroadcastsLeadingAxesAndAgreesWithLinear() {
        Tensor a = tensor(new int[] {2, 1, 2}, 1, 2, 3, 4);
        Tensor b = tensor(new int[] {2, 2}, 1, 0, 1, 1);
        Tensor product = P.matMul(a, b);
        assertArrayEquals(new int[] {2, 1, 2}, product.shape());
        assertArrayEquals(new double[] {3, 2, 7, 4}, product.asDoubles());
        Random random = new Random(11);
        Tensor x = random(random, 3, 5);
        Tensor w = random(random, 4, 5);
        Tensor bias = random(random, 4);
        assertArrayEquals(P.add(P.matMul(x, P.transpose(w, new int[] {1, 0})), bias).asDoubles(),
                P.linear(x, w, bias).asDoubles(), 1e-12);
    }

    @Test
    void reductionsSoftmaxAndExpansion() {
        Tensor x = tensor(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new double[] {6, 15}, P.reduceSum(x, new int[] {1}, false).asDoubles());
        assertArrayEquals(new int[] {1, 3}, P.reduceSum(x, new int[] {0}, true).shape());
        assertArrayEquals(new double[] {2.5, 3.5, 4.5}, P.reduceMean(x, new int[] {-2}, false).asDoubles());
        Tensor softmax = P.softmax(x, -1);
        double denominator = Math.exp(-2) + Math.exp(-1) + 1;
        assertArrayEquals(new double[] {Math.exp(-2) / denominator, Math.exp(-1) / denominator, 1 / denominator},
                java.util.Arrays.copyOf(softmax.asDoubles(), 3), 1e-15);
        Tensor expanded = P.expandLike(tensor(new int[] {2, 1}, 7, 8), x);
        assertArrayEquals(new double[] {7, 7, 7, 8, 8, 8}, expanded.asDoubles());
    }

    @Test
    void logSoftmaxStaysFiniteWhereTheSoftmaxUnderflows() {
        Tensor logits = tensor(new int[] {1, 3}, 0, 1000, 2000);
        double[] logSoftmax = P.logSoftmax(logits, -1).asDoubles();
        double tail = Math.log(1 + Math.exp(-1000) + Math.exp(-2000));
        assertArrayEquals(new double[] {-2000 - tail, -1000 - tail, -tail}, logSoftmax, 1e-9);
    }

    @Test
    void movementAndItsAdjoints() {
        Tensor x = tensor(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new int[] {3, 2}, P.reshape(x, new long[] {-1, 2}).shape());
        assertArrayEquals(new int[] {2, 3}, P.reshape(x, new long[] {0, -1}).shape());
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, P.transpose(x, new int[] {1, 0}).asDoubles());
        Tensor padded = P.pad(x, new long[] {0, 1, 0, -1});
        assertArrayEquals(new int[] {2, 3}, padded.shape());
        assertArrayEquals(new double[] {0, 1, 2, 0, 4, 5}, padded.asDoubles());
        List<Tensor> parts = P.split(x, 1, new long[] {1, 2});
        assertArrayEquals(new double[] {1, 4}, parts.get(0).asDoubles());
        assertArrayEquals(new double[] {2, 3, 5, 6}, parts.get(1).asDoubles());
        assertArrayEquals(x.asDoubles(), P.concat(parts, -1).asDoubles());
        Random random = new Random(5);
        Tensor big = random(random, 2, 3, 4);
        long[] pads = {1, -1, 2, 0, 1, -1};
        Tensor s = random(random, P.pad(big, pads).shape());
        assertAdjoint(dot(P.pad(big, pads), s), dot(big, P.pad(s, new long[] {-1, 1, -2, 0, -1, 1})));
    }

    private static Node window(String opType, Attributes attributes) {
        return Node.of("w", opType, List.of("x"), List.of("y"), attributes);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void convolutionAndPoolsAreAdjointToTheirTransposes(int seed) {
        Random random = new Random(seed);
        Attributes convAttributes = new Attributes(java.util.Map.of("strides", new long[] {2, 1}, "pads",
                new long[] {1, 0, 0, 1}, "dilations", new long[] {1, 2}, "group", 2L));
        Window conv = new Window(window("Conv", convAttributes));
        Tensor x = random(random, 2, 4, 7, 6);
        Tensor w = random(random, 6, 2, 3, 2);
        Tensor y = P.conv(x, w, null, conv);
        Tensor s = random(random, y.shape());
        assertAdjoint(dot(y, s), dot(x, P.convTransposed(s, w, conv, x)));

        Attributes poolAttributes = new Attributes(java.util.Map.of("kernel_shape", new long[] {3, 2}, "strides",
                new long[] {2, 2}, "pads", new long[] {1, 0, 1, 1}, "ceil_mode", 1L, "count_include_pad",
                (long) (seed % 2)));
        Window pool = new Window(window("AveragePool", poolAttributes));
        Tensor pooled = P.averagePool(x, pool);
        Tensor t = random(random, pooled.shape());
        assertAdjoint(dot(pooled, t), dot(x, P.averagePoolTransposed(t, pool, x)));

        Window maxPool = new Window(window("MaxPool", poolAttributes));
        Tensor maxima = P.maxPool(x, maxPool);
        Tensor routed = P.maxPoolRoute(t, x, maxima, maxPool);
        assertAdjoint(dot(maxima, t), dot(x, routed));
        assertEquals(P.reduceSum(t, new int[] {0, 1, 2, 3}, false).asDoubles()[0],
                P.reduceSum(routed, new int[] {0, 1, 2, 3}, false).asDoubles()[0], 1e-9,
                "the max-pool route moves every share to one winner");
    }
}
