package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import io.lrpsidecar.testing.OrtEnvironments;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lrpsidecar.compiler.OnnxPrimitives;
import io.lrpsidecar.compiler.Value;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Stabilizer;
import io.lrpsidecar.tensor.Unary;
import io.lrpsidecar.tensor.Window;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every primitive of {@link OnnxPrimitives}, run on ONNX Runtime, against {@link DoublePrimitives} on the same data
 * (fixed seeds, batch {@value #BATCH}, float32 data) within float32 tolerance: elementwise ops with broadcasting,
 * masks, contractions, each path of the transposed convolution (stride 1 as a flipped convolution, strided, grouped,
 * dilated, padded beyond the kernel, 1-D, all-equal kernels summed over channels first), tiling and overlapping
 * pools with ties, average pools with and without counted pads, reductions, movement, and values whose batch axis is
 * not axis 0. Each result's static shape and batch axis are checked against the shape ONNX Runtime produces; folding
 * and common subexpressions are checked on the emitted graph.
 */
class PrimitivesConformanceTest {
    private static final int BATCH = 3;
    private static final long OPSET = 17;
    private static final double TOLERANCE = 1e-5;
    private static final DoublePrimitives DOUBLES = DoublePrimitives.INSTANCE;

    /**
     * An operand: a graph input whose batch (if {@code batchAxis >= 0}) is on {@code batchAxis}, or a compile-time
     * constant.
     */
    private record Operand(Tensor data, int batchAxis, boolean constant) {
        static Operand batched(Tensor data) {
            return new Operand(data, 0, false);
        }

        static Operand batchedOn(int axis, Tensor data) {
            return new Operand(data, axis, false);
        }

        static Operand known(Tensor data) {
            return new Operand(data, -1, true);
        }
    }

    /** What a case computes, written once against the primitives (a value, or a list of values). */
    @FunctionalInterface
    private interface Expression {
        Object apply(Primitives<Object> p, List<Object> operands);
    }

    /** The graph of a checked case and the values it returned. */
    private record Run(Graph graph, List<Value> results) {
        long count(String opType) {
            return graph.nodes().stream().filter(node -> node.opType().equals(opType)).count();
        }

        Map<String, Long> opTypes() {
            return graph.nodes().stream().filter(node -> !node.opType().equals("Identity"))
                    .collect(Collectors.groupingBy(Node::opType, TreeMap::new, Collectors.counting()));
        }
    }

    @SuppressWarnings("unchecked")
    private static Primitives<Object> erased(Primitives<?> primitives) {
        return (Primitives<Object>) primitives;
    }

    /** Builds the case with OnnxPrimitives, runs it on ONNX Runtime and compares with DoublePrimitives. */
    private static Run check(String what, Expression expression, Operand... operands) {
        return checkAt(OPSET, what, expression, operands);
    }

    private static Run checkAt(long opset, String what, Expression expression, Operand... operands) {
        OnnxPrimitives onnx = OnnxPrimitives.newGraph(opset);
        List<Object> values = new ArrayList<>();
        List<Object> tensors = new ArrayList<>();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < operands.length; i++) {
            Operand operand = operands[i];
            tensors.add(operand.data());
            if (operand.constant()) {
                values.add(onnx.constant(operand.data()));
            } else {
                int[] shape = operand.data().shape().clone();
                if (operand.batchAxis() >= 0) {
                    shape[operand.batchAxis()] = 1;
                }
                values.add(onnx.input("in" + i, shape, operand.batchAxis()));
                feeds.put("in" + i, operand.data());
            }
        }
        List<Value> results = flatten(expression.apply(erased(onnx), values), Value.class);
        List<Tensor> expected = flatten(expression.apply(erased(DOUBLES), tensors), Tensor.class);
        Map<String, Value> outputs = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            outputs.put("out" + i, results.get(i));
        }
        Graph graph = onnx.graph(what, outputs);
        Map<String, Tensor> actual = run(graph, feeds);
        for (int i = 0; i < results.size(); i++) {
            compare(what + " output " + i, results.get(i), actual.get("out" + i), expected.get(i));
        }
        return new Run(graph, results);
    }

    private static <T> List<T> flatten(Object result, Class<T> type) {
        List<?> items = result instanceof List<?> list ? list : List.of(result);
        return items.stream().map(type::cast).toList();
    }

    private static void compare(String what, Value value, Tensor actual, Tensor expected) {
        int[] staticShape = value.shape();
        if (value.hasBatchAxis()) {
            staticShape[value.batchAxis()] = BATCH;
            assertArrayEquals(expected.shape(), staticShape, what + ": static shape of " + value);
            assertArrayEquals(expected.shape(), actual.shape(), what + ": shape from ONNX Runtime");
        } else {
            assertArrayEquals(staticShape, actual.shape(), what + ": shape of " + value + " from ONNX Runtime");
            assertArrayEquals(expected.shape(), Shapes.broadcast(actual.shape(), expected.shape()),
                    what + ": " + value + " broadcasts to the reference");
        }
        Tensor broadcast = DOUBLES.expandLike(actual, expected);
        double scale = Arrays.stream(expected.asDoubles()).map(Math::abs).max().orElse(0);
        for (int i = 0; i < expected.size(); i++) {
            double want = expected.asDoubles()[i];
            double got = broadcast.asDoubles()[i];
            if (!(Math.abs(got - want) <= TOLERANCE * (Math.abs(want) + scale))) {
                fail(what + ": element " + i + " is " + got + ", the reference gives " + want + " (shape "
                        + Shapes.format(expected.shape()) + ")");
            }
        }
    }

    private static Map<String, Tensor> run(Graph graph, Map<String, Tensor> feeds) {
        OrtEnvironment environment = OrtEnvironments.shared();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = environment.createSession(OnnxModelWriter.write(graph), options)) {
                for (Map.Entry<String, Tensor> feed : feeds.entrySet()) {
                    Tensor data = feed.getValue();
                    float[] floats = new float[data.size()];
                    for (int i = 0; i < floats.length; i++) {
                        floats[i] = (float) data.asDoubles()[i];
                    }
                    inputs.put(feed.getKey(), OnnxTensor.createTensor(environment, FloatBuffer.wrap(floats),
                            Arrays.stream(data.shape()).asLongStream().toArray()));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    Map<String, Tensor> outputs = new HashMap<>();
                    for (Map.Entry<String, ai.onnxruntime.OnnxValue> output : result) {
                        outputs.put(output.getKey(), tensor((OnnxTensor) output.getValue()));
                    }
                    return outputs;
                }
            }
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime refused graph " + graph.name() + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static Tensor tensor(OnnxTensor output) {
        int[] shape = Arrays.stream(output.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
        double[] values = new double[Shapes.size(shape)];
        if (output.getInfo().type == OnnxJavaType.BOOL) {
            ByteBuffer bytes = output.getByteBuffer();
            for (int i = 0; i < values.length; i++) {
                values[i] = bytes.get(i);
            }
        } else {
            FloatBuffer floats = output.getFloatBuffer();
            for (int i = 0; i < values.length; i++) {
                values[i] = floats.get(i);
            }
        }
        return Tensor.of(shape, values);
    }

    // ---------------------------------------------------------------- data

    /** Gaussian values rounded to float32, from a fixed seed. */
    private static Tensor random(long seed, int... shape) {
        return randomMapped(seed, value -> value, shape);
    }

    private static Tensor randomMapped(long seed, DoubleUnaryOperator map, int... shape) {
        Random random = new Random(seed);
        double[] values = new double[Shapes.size(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) map.applyAsDouble(random.nextGaussian());
        }
        return Tensor.of(shape, values);
    }

    /** Values on a grid of halves in [-1, 1], so windows and comparisons meet ties. */
    private static Tensor tied(long seed, int... shape) {
        Random random = new Random(seed);
        double[] values = new double[Shapes.size(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextInt(5) - 2) / 2.0;
        }
        return Tensor.of(shape, values);
    }

    private static Window window(String opType, Map<String, Object> attributes) {
        return new Window(Node.of(opType.toLowerCase(java.util.Locale.ROOT), opType, List.of("x"), List.of("y"),
                new Attributes(attributes)));
    }

    private static long[] ints(long... values) {
        return values;
    }

    // ---------------------------------------------------------------- elementwise

    @Test
    void arithmeticBroadcastsLikeTheReference() {
        Operand x = Operand.batched(random(1, BATCH, 4, 5));
        Operand column = Operand.batched(random(2, BATCH, 4, 1));
        Operand row = Operand.known(random(3, 5));
        Operand divisor = Operand.batched(randomMapped(4, value -> 1.5 + Math.abs(value), BATCH, 1, 5));
        check("add", (p, in) -> p.add(in.get(0), in.get(1)), x, column);
        check("sub", (p, in) -> p.sub(in.get(2), in.get(0)), x, column, row);
        check("mul", (p, in) -> p.mul(in.get(0), in.get(1)), x, row);
        check("div", (p, in) -> p.div(in.get(0), in.get(1)), x, divisor);
        check("scalar and constant", (p, in) -> p.add(p.mul(in.get(0), p.scalar(2.5)),
                p.constant(Tensor.of(new int[] {4, 1}, new double[] {1, -2, 3, -4}))), x);
        check("zerosLike, onesLike", (p, in) -> List.of(p.zerosLike(in.get(0)), p.onesLike(in.get(0)),
                p.sub(in.get(0), p.onesLike(in.get(0)))), x);
        Run identities = check("x + 0, x * 1", (p, in) -> p.mul(p.add(in.get(0), p.zerosLike(in.get(0))),
                p.scalar(1)), x);
        assertEquals(Map.of(), identities.opTypes(), "adding zeros and multiplying by one emit nothing");
        assertEquals(3, rankOf(x), "rank");
    }

    private static int rankOf(Operand operand) {
        OnnxPrimitives onnx = OnnxPrimitives.newGraph(OPSET);
        int[] shape = operand.data().shape().clone();
        shape[0] = 1;
        return onnx.rank(onnx.input("x", shape, 0));
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryFunctions(Unary function) {
        Tensor data = switch (function) {
            case SQRT, LOG -> randomMapped(5, value -> 0.1 + Math.abs(value), BATCH, 2, 3);
            case RECIPROCAL -> randomMapped(5, value -> Math.copySign(0.5 + Math.abs(value), value), BATCH, 2, 3);
            default -> random(5, BATCH, 2, 3);
        };
        check(function.name(), (p, in) -> p.unary(function, in.get(0)), Operand.batched(data));
    }

    @ParameterizedTest
    @EnumSource(Comparison.class)
    void comparisonsGiveMasksThatWhereAndArithmeticRead(Comparison comparison) {
        Operand a = Operand.batched(tied(6, BATCH, 2, 4));
        Operand b = Operand.batched(tied(7, BATCH, 2, 4));
        Run mask = check(comparison.name(), (p, in) -> p.compare(comparison, in.get(0), in.get(1)), a, b);
        assertEquals(ElementType.BOOL, mask.results().get(0).type(), "a comparison gives a bool value");
        Run used = check(comparison + " used", (p, in) -> {
            Object m = p.compare(comparison, in.get(0), p.scalar(0));
            return List.of(p.mul(m, in.get(1)), p.where(m, in.get(1), p.scalar(-7)), p.add(m, m));
        }, a, b);
        assertEquals(1, used.count("Cast"), "the mask is cast to float once for arithmetic");
    }

    @Test
    void whereReadsAFloatConditionAsNonZero() {
        Operand condition = Operand.batched(tied(8, BATCH, 6));
        Operand x = Operand.batched(random(9, BATCH, 6));
        check("where on floats", (p, in) -> p.where(in.get(0), in.get(1), p.scalar(3)), condition, x);
        check("where on a constant mask", (p, in) -> p.where(p.compare(Comparison.GT,
                p.constant(Tensor.of(new int[] {6}, new double[] {1, -1, 0, 2, -2, 0})), p.scalar(0)), in.get(1),
                p.unary(Unary.NEG, in.get(1))), condition, x);
    }

    @Test
    void stabilizersAgree() {
        Operand r = Operand.batched(random(10, BATCH, 5));
        Operand z = Operand.batched(tied(11, BATCH, 5));
        for (Stabilizer stabilizer : Stabilizer.values()) {
            check("stabilizer " + stabilizer, (p, in) -> stabilizer.divide(p, in.get(0), in.get(1), 0.25), r, z);
        }
    }

    // ---------------------------------------------------------------- contractions

    @Test
    void matMulAndLinear() {
        Operand x2 = Operand.batched(random(12, BATCH, 5));
        Operand x3 = Operand.batched(random(13, BATCH, 2, 5));
        Operand w = Operand.known(random(14, 4, 5));
        Operand bias = Operand.known(random(15, 4));
        Operand right = Operand.batched(random(16, BATCH, 5, 3));
        Run gemm = check("linear rank 2", (p, in) -> p.linear(in.get(0), in.get(1), in.get(2)), x2, w, bias);
        assertEquals(Map.of("Gemm", 1L), gemm.opTypes(), "a rank-2 linear is one Gemm");
        check("linear rank 2 without bias", (p, in) -> p.linear(in.get(0), in.get(1), null), x2, w);
        Run matMul = check("linear rank 3", (p, in) -> p.linear(in.get(0), in.get(1), in.get(2)), x3, w, bias);
        assertEquals(Map.of("Add", 1L, "MatMul", 1L), matMul.opTypes(), "the transposed weight is folded");
        check("matMul batched operands", (p, in) -> p.matMul(in.get(0), in.get(1)), x3, right);
        check("matMul with a constant", (p, in) -> p.matMul(in.get(0), p.transpose(in.get(1), new int[] {1, 0})),
                x3, w);
        Operand runtimeWeight = Operand.batchedOn(-1, random(17, 4, 5));
        check("linear with a runtime weight", (p, in) -> p.linear(in.get(0), in.get(1), null), x2, runtimeWeight);
    }

    @Test
    void transposedDenseWithAnAllEqualWeightSumsFirst() {
        Operand s = Operand.batched(random(18, BATCH, 4));
        Operand flat = Operand.known(Tensor.filled(new int[] {4, 6}, 0.5));
        Run run = check("matMul flat", (p, in) -> p.matMul(in.get(0), in.get(1)), s, flat);
        assertEquals(Map.of("Mul", 1L, "ReduceSum", 1L), run.opTypes(), "channel sum, then one scaled broadcast");
    }

    // ---------------------------------------------------------------- convolutions

    private static Window conv(Object... attributes) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < attributes.length; i += 2) {
            map.put((String) attributes[i], attributes[i + 1]);
        }
        return window("Conv", map);
    }

    /** A convolution case: input shape, weight shape and window. */
    private record ConvCase(String name, int[] input, int[] weight, Window window, String transposedOp) {
    }

    private static List<ConvCase> convCases() {
        return List.of(
                new ConvCase("stride 1, pad 1", new int[] {BATCH, 2, 6, 6}, new int[] {4, 2, 3, 3},
                        conv("pads", ints(1, 1, 1, 1)), "Conv"),
                new ConvCase("stride 2", new int[] {BATCH, 2, 7, 7}, new int[] {3, 2, 3, 3},
                        conv("strides", ints(2, 2), "pads", ints(1, 0, 0, 1)), "ConvTranspose"),
                new ConvCase("grouped stride 1", new int[] {BATCH, 4, 5, 5}, new int[] {6, 2, 3, 3},
                        conv("group", 2L, "pads", ints(1, 1, 1, 1)), "Conv"),
                new ConvCase("grouped stride 2", new int[] {BATCH, 4, 8, 8}, new int[] {4, 2, 2, 2},
                        conv("group", 2L, "strides", ints(2, 2)), "ConvTranspose"),
                new ConvCase("dilated", new int[] {BATCH, 2, 7, 7}, new int[] {3, 2, 3, 3},
                        conv("dilations", ints(2, 2), "pads", ints(2, 1, 2, 1)), "Conv"),
                new ConvCase("padded beyond the kernel", new int[] {BATCH, 2, 5, 5}, new int[] {3, 2, 2, 2},
                        conv("pads", ints(2, 2, 2, 2)), "ConvTranspose"),
                new ConvCase("same upper, stride 2", new int[] {BATCH, 3, 6, 5}, new int[] {2, 3, 3, 3},
                        conv("auto_pad", "SAME_UPPER", "strides", ints(2, 2)), "ConvTranspose"),
                new ConvCase("1-D", new int[] {BATCH, 2, 9}, new int[] {3, 2, 3},
                        conv("pads", ints(1, 1)), "Conv"),
                new ConvCase("1-D strided", new int[] {BATCH, 2, 9}, new int[] {3, 2, 3},
                        conv("strides", ints(2)), "ConvTranspose"));
    }

    @Test
    void convolutionsAndTheirTransposes() {
        long seed = 20;
        for (ConvCase c : convCases()) {
            Operand x = Operand.batched(random(seed++, c.input()));
            Operand w = Operand.known(random(seed++, c.weight()));
            Operand bias = Operand.known(random(seed++, c.weight()[0]));
            check("conv " + c.name(), (p, in) -> p.conv(in.get(0), in.get(1), in.get(2), c.window()), x, w, bias);
            check("conv without bias " + c.name(), (p, in) -> p.conv(in.get(0), in.get(1), null, c.window()), x, w);
            Tensor output = DOUBLES.conv(x.data(), w.data(), null, c.window());
            Operand s = Operand.batched(random(seed++, output.shape()));
            Run transposed = check("convTransposed " + c.name(), (p, in) -> p.convTransposed(in.get(0), in.get(1),
                    c.window(), in.get(2)), s, w, x);
            assertEquals(1, transposed.count(c.transposedOp()), c.name() + ": emitted as " + c.transposedOp()
                    + ", found " + transposed.opTypes());
            assertEquals(Map.of(c.transposedOp(), 1L), transposed.opTypes(), c.name() + ": nothing else");
        }
    }

    @Test
    void transposedConvolutionWithARuntimeKernelIsAConvTranspose() {
        ConvCase c = convCases().get(0);
        Operand x = Operand.batched(random(40, c.input()));
        Operand w = Operand.batchedOn(-1, random(41, c.weight()));
        Operand s = Operand.batched(random(42, BATCH, 4, 6, 6));
        Run run = check("convTransposed runtime kernel", (p, in) -> p.convTransposed(in.get(0), in.get(1),
                c.window(), in.get(2)), s, w, x);
        assertEquals(Map.of("ConvTranspose", 1L), run.opTypes(), "no flipped kernel without a constant");
    }

    @Test
    void allEqualKernelsSumOverChannelsFirst() {
        long seed = 50;
        for (ConvCase c : convCases()) {
            boolean grouped = c.window().groups() > 1;
            for (double filler : new double[] {1.0, 0.25}) {
                Operand x = Operand.batched(random(seed++, c.input()));
                Operand w = Operand.known(Tensor.filled(c.weight(), filler));
                Tensor output = DOUBLES.conv(x.data(), w.data(), null, c.window());
                Operand s = Operand.batched(random(seed++, output.shape()));
                Run run = check("flat " + filler + " " + c.name(), (p, in) -> p.convTransposed(in.get(0), in.get(1),
                        c.window(), in.get(2)), s, w, x);
                assertEquals(grouped ? 0 : 1, run.count("ReduceSum"), c.name() + ": the channel sum "
                        + (grouped ? "needs one group" : "comes first") + ", found " + run.opTypes());
                assertEquals(grouped ? 0 : 1, run.count("Expand"), c.name() + ": broadcast to every channel");
            }
        }
    }

    // ---------------------------------------------------------------- pools

    private static Window pool(String opType, long kernel, long stride, Object... more) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("kernel_shape", ints(kernel, kernel));
        attributes.put("strides", ints(stride, stride));
        for (int i = 0; i < more.length; i += 2) {
            attributes.put((String) more[i], more[i + 1]);
        }
        return window(opType, attributes);
    }

    @Test
    void maxPoolsAndTheirRoutingWithTies() {
        Map<String, Window> windows = new LinkedHashMap<>();
        windows.put("tiling 2x2", pool("MaxPool", 2, 2));
        windows.put("tiling 3x3", pool("MaxPool", 3, 3));
        windows.put("overlapping 2/1", pool("MaxPool", 2, 1));
        windows.put("overlapping 3/2 padded", pool("MaxPool", 3, 2, "pads", ints(1, 1, 1, 1)));
        windows.put("ceil mode", pool("MaxPool", 2, 2, "ceil_mode", 1L));
        windows.put("floor mode remainder 2x2", pool("MaxPool", 2, 2));
        windows.put("overlapping 3/1 padded", pool("MaxPool", 3, 1, "pads", ints(1, 1, 1, 1)));
        windows.put("overlapping dilated 2/2", pool("MaxPool", 2, 2, "dilations", ints(2, 2)));
        long seed = 60;
        for (Map.Entry<String, Window> entry : windows.entrySet()) {
            Window window = entry.getValue();
            int size = entry.getKey().equals("tiling 3x3") ? 6 : 5 - (entry.getKey().startsWith("tiling") ? 1 : 0);
            Operand x = Operand.batched(tied(seed++, BATCH, 2, size, size));
            Tensor y = DOUBLES.maxPool(x.data(), window);
            Operand s = Operand.batched(random(seed++, y.shape()));
            check("maxPool " + entry.getKey(), (p, in) -> p.maxPool(in.get(0), window), x);
            Run route = check("maxPoolRoute " + entry.getKey(), (p, in) -> p.maxPoolRoute(in.get(1), in.get(0),
                    p.maxPool(in.get(0), window), window), x, s);
            boolean disjoint = !entry.getKey().startsWith("overlapping");
            assertEquals(0, route.count("ScatterElements"), entry.getKey() + ": " + route.opTypes());
            int classes = entry.getKey().contains("3/1") ? 9 : disjoint ? 1 : 4;
            assertEquals(classes, route.count("MaxUnpool"), entry.getKey() + ": one MaxUnpool per class "
                    + "of disjoint windows, found " + route.opTypes());
            boolean tiles = entry.getKey().startsWith("tiling") || entry.getKey().startsWith("floor");
            assertEquals(tiles ? 1 : 0, route.count("ArgMax"), entry.getKey() + ": tiling windows are read by "
                    + "SpaceToDepth and ArgMax, found " + route.opTypes());
            assertEquals(tiles ? 0 : 1, route.count("MaxPool"), entry.getKey() + ": tiling windows need no pool, "
                    + "others reuse the pool's indices, found " + route.opTypes());
        }
    }

    @Test
    void routingWithoutThePoolsOwnValueEmitsItsIndices() {
        Window window = pool("MaxPool", 2, 1);
        Operand x = Operand.batched(tied(70, BATCH, 1, 4, 4));
        Operand y = Operand.batched(DOUBLES.maxPool(x.data(), window));
        Operand s = Operand.batched(random(71, BATCH, 1, 3, 3));
        Run run = check("maxPoolRoute of a given y", (p, in) -> p.maxPoolRoute(in.get(2), in.get(0), in.get(1),
                window), x, y, s);
        assertEquals(1, run.count("MaxPool"), "the indices come from a MaxPool of x: " + run.opTypes());
    }

    @Test
    void averagePoolsAndTheirTransposes() {
        Map<String, Window> windows = new LinkedHashMap<>();
        windows.put("2/2", pool("AveragePool", 2, 2));
        windows.put("3/1 pads not counted", pool("AveragePool", 3, 1, "pads", ints(1, 1, 1, 1)));
        windows.put("3/1 pads counted", pool("AveragePool", 3, 1, "pads", ints(1, 1, 1, 1), "count_include_pad",
                1L));
        windows.put("3/2 ceil mode, pads counted", pool("AveragePool", 3, 2, "pads", ints(1, 0, 1, 0), "ceil_mode",
                1L, "count_include_pad", 1L));
        windows.put("2/2 ceil mode", pool("AveragePool", 2, 2, "ceil_mode", 1L));
        windows.put("1-D", window("AveragePool", Map.of("kernel_shape", ints(3), "strides", ints(2), "pads",
                ints(1, 1), "count_include_pad", 1L)));
        long seed = 80;
        for (Map.Entry<String, Window> entry : windows.entrySet()) {
            Window window = entry.getValue();
            int[] shape = entry.getKey().equals("1-D") ? new int[] {BATCH, 2, 7} : new int[] {BATCH, 2, 5, 5};
            Operand x = Operand.batched(random(seed++, shape));
            Operand s = Operand.batched(random(seed++, DOUBLES.averagePool(x.data(), window).shape()));
            check("averagePool " + entry.getKey(), (p, in) -> p.averagePool(in.get(0), window), x);
            check("averagePoolTransposed " + entry.getKey(), (p, in) -> p.averagePoolTransposed(in.get(0), window,
                    in.get(1)), s, x);
        }
    }

    // ---------------------------------------------------------------- reductions and movement

    @Test
    void reductionsAndSoftmax() {
        Operand x = Operand.batched(random(90, BATCH, 3, 4, 2));
        for (int[] axes : new int[][] {{1}, {-1}, {1, 3}, {2, 1}}) {
            for (boolean keep : new boolean[] {true, false}) {
                check("reduceSum " + Arrays.toString(axes) + " " + keep, (p, in) -> p.reduceSum(in.get(0), axes,
                        keep), x);
                check("reduceMean " + Arrays.toString(axes) + " " + keep, (p, in) -> p.reduceMean(in.get(0), axes,
                        keep), x);
            }
        }
        Run mean18 = checkAt(18, "reduceMean at opset 18", (p, in) -> p.reduceMean(in.get(0), new int[] {1, 2},
                false), x);
        assertEquals(List.of(2), mean18.graph().nodes().stream().filter(node -> node.opType().equals("ReduceMean"))
                .map(node -> node.inputs().size()).toList(), "from opset 18 the axes are an input");
        for (int axis : new int[] {1, -1}) {
            check("softmax " + axis, (p, in) -> p.softmax(in.get(0), axis), x);
            check("logSoftmax " + axis, (p, in) -> p.logSoftmax(in.get(0), axis), x);
        }
        Operand column = Operand.batched(random(91, BATCH, 3, 1, 2));
        check("expandLike", (p, in) -> p.expandLike(in.get(1), in.get(0)), x, column);
        check("expandLike of a constant", (p, in) -> p.expandLike(p.constant(random(92, 4, 1)), in.get(0)), x);
        check("expandLike of the adjoint of reduceSum", (p, in) -> p.expandLike(p.reduceSum(in.get(0),
                new int[] {2}, true), in.get(0)), x);
    }

    @Test
    void leakyReluAndTheSpatialMeanAreOneNodeEach() {
        Operand x = Operand.batched(tied(93, BATCH, 3, 4, 2));
        Operand y = Operand.batched(random(94, BATCH, 3, 4, 2));
        Run leaky = check("where(x >= 0, x, x a)", (p, in) -> p.where(p.compare(Comparison.GE, in.get(0),
                p.scalar(0)), in.get(0), p.mul(in.get(0), p.scalar(0.2))), x);
        assertEquals(Map.of("LeakyRelu", 1L), leaky.opTypes(), "x >= 0 ? x : a x is LeakyRelu");
        Run strict = check("where(x > 0, x, a x)", (p, in) -> p.where(p.compare(Comparison.GT, in.get(0),
                p.scalar(0)), in.get(0), p.mul(p.scalar(0.3), in.get(0))), x);
        assertEquals(Map.of("LeakyRelu", 1L), strict.opTypes(), "x > 0 ? x : a x is LeakyRelu too (0 at 0)");
        Run other = check("where(x >= 0, x, y a)", (p, in) -> p.where(p.compare(Comparison.GE, in.get(0),
                p.scalar(0)), in.get(0), p.mul(in.get(1), p.scalar(0.2))), x, y);
        assertEquals(1, other.count("Where"), "another value in the negative branch is no LeakyRelu");
        Run shifted = check("where(x >= 1, x, x a)", (p, in) -> p.where(p.compare(Comparison.GE, in.get(0),
                p.scalar(1)), in.get(0), p.mul(in.get(0), p.scalar(0.2))), x);
        assertEquals(1, shifted.count("Where"), "a threshold other than 0 is no LeakyRelu");
        for (long opset : new long[] {OPSET, 18}) {
            Run mean = checkAt(opset, "spatial mean at opset " + opset, (p, in) -> p.reduceMean(in.get(0),
                    new int[] {3, 2}, true), y);
            assertEquals(Map.of("GlobalAveragePool", 1L), mean.opTypes(), "the kept spatial mean");
        }
    }

    @Test
    void movementAndItsAdjoints() {
        Operand x = Operand.batched(random(100, BATCH, 4, 6));
        Operand other = Operand.batched(random(101, BATCH, 2, 6));
        check("reshape", (p, in) -> p.reshape(in.get(0), new long[] {0, 2, -1}), x);
        check("reshape flat", (p, in) -> p.reshape(in.get(0), new long[] {-1, 24}), x);
        check("reshapeLike", (p, in) -> p.reshapeLike(p.reshape(in.get(0), new long[] {0, -1}), in.get(0)), x);
        check("transpose", (p, in) -> p.transpose(in.get(0), new int[] {0, 2, 1}), x);
        check("pad", (p, in) -> p.pad(in.get(0), new long[] {0, 1, 2, 0, 2, 1}), x);
        Run crop = check("crop", (p, in) -> p.pad(in.get(0), new long[] {0, -1, 0, 0, -2, -3}), x);
        assertEquals(Map.of("Slice", 1L), crop.opTypes(), "negative pads crop with a Slice");
        check("pad and crop", (p, in) -> p.pad(in.get(0), new long[] {0, -1, 2, 0, 1, -3}), x);
        check("pad then its adjoint", (p, in) -> p.pad(p.pad(in.get(0), new long[] {0, 1, 2, 0, 3, 1}),
                new long[] {0, -1, -2, 0, -3, -1}), x);
        check("concat", (p, in) -> p.concat(List.of(in.get(0), in.get(1), in.get(0)), 1), x, other);
        check("concat with zeros", (p, in) -> p.concat(List.of(in.get(0), p.zerosLike(in.get(1))), -2), x, other);
        check("split", (p, in) -> p.split(in.get(0), 2, new long[] {1, 3, 2}), x);
        check("split then concat", (p, in) -> p.concat(p.split(in.get(0), 1, new long[] {3, 1}), 1), x);
    }

    @Test
    void batchAxisOtherThanZero() {
        Operand x = Operand.batchedOn(1, random(110, 4, BATCH, 5));
        Operand w = Operand.known(random(111, 5, 2));
        Run moved = check("transpose to batch first", (p, in) -> p.transpose(in.get(0), new int[] {1, 0, 2}), x);
        assertEquals(0, moved.results().get(0).batchAxis(), "the batch axis moves with the transpose");
        Run sums = check("row sums", (p, in) -> p.reduceSum(in.get(0), new int[] {0, 2}, false), x);
        assertEquals(0, sums.results().get(0).batchAxis(), "the batch is what remains");
        check("elementwise", (p, in) -> p.mul(p.add(in.get(0), p.constant(random(112, 5))), in.get(0)), x);
        Run product = check("matMul", (p, in) -> p.matMul(in.get(0), in.get(1)), x, w);
        assertEquals(1, product.results().get(0).batchAxis(), "a leading batch axis stays");
        check("softmax", (p, in) -> p.softmax(in.get(0), 0), x);
        check("reshape keeping the batch", (p, in) -> p.reshape(in.get(0), new long[] {2, 2, -1, 5}), x);
        check("expandLike", (p, in) -> p.expandLike(p.reduceSum(in.get(0), new int[] {0}, true), in.get(0)), x);
        check("split and concat", (p, in) -> {
            List<Object> parts = p.split(in.get(0), 2, new long[] {2, 3});
            return p.concat(List.of(parts.get(1), parts.get(0)), 2);
        }, x);
        Operand rows = Operand.batchedOn(1, random(113, 5, BATCH));
        check("matMul with the batch on the columns", (p, in) -> p.matMul(in.get(1), in.get(0)), rows,
                Operand.known(random(114, 4, 5)));
    }

    // ---------------------------------------------------------------- folding and common subexpressions

    @Test
    void allConstantOperandsAreFoldedAndOnlyUsedConstantsWritten() {
        Tensor weight = random(120, 3, 4);
        Operand x = Operand.batched(random(121, BATCH, 4));
        Run run = check("folded weights", (p, in) -> {
            Object w = p.constant(weight);
            Object positive = p.unary(Unary.POSITIVE, w);
            Object gamma = p.add(w, p.mul(positive, p.scalar(0.25)));
            return p.linear(in.get(0), gamma, p.reduceSum(p.unary(Unary.SQUARE, w), new int[] {1}, false));
        }, x);
        assertEquals(Map.of("Gemm", 1L), run.opTypes(), "the weight terms are folded at compile time");
        assertEquals(2, run.graph().initializers().size(), "only the folded weight and bias are written");
        for (Tensor initializer : run.graph().initializers().values()) {
            assertEquals(ElementType.FLOAT, initializer.type(), "initializers are float32");
        }

        OnnxPrimitives onnx = OnnxPrimitives.newGraph(OPSET);
        Value folded = onnx.compare(Comparison.GE, onnx.constant(weight), onnx.scalar(0));
        assertNotNull(folded.constant(), "a comparison of constants is a constant");
        assertEquals(ElementType.BOOL, folded.type(), "and still a mask");
        Value mean = onnx.reduceMean(onnx.mul(onnx.constant(weight), folded), new int[] {0}, true);
        assertTrue(mean.isConstant(), "arithmetic on a folded mask folds");
        assertTrue(onnx.graph("nothing", Map.of()).nodes().isEmpty(), "all-constant primitives emit no node");
    }

    @Test
    void emittingTheSameTwiceGivesTheFirstValue() {
        OnnxPrimitives onnx = OnnxPrimitives.newGraph(OPSET);
        Value x = onnx.input("x", new int[] {1, 2, 5, 5}, 0);
        Value w = onnx.constant(random(130, 3, 2, 3, 3));
        Window window = conv("pads", ints(1, 1, 1, 1));
        Value first = onnx.conv(x, w, null, window);
        assertSame(first, onnx.conv(x, onnx.constant(random(130, 3, 2, 3, 3)), null, window),
                "an equal constant and the same conv give the first value");
        Value s = onnx.div(first, Stabilizer.ZENNIT.stabilize(onnx, first, 1e-6));
        assertSame(s, onnx.div(first, Stabilizer.ZENNIT.stabilize(onnx, first, 1e-6)), "the stabilized division");
        Value back = onnx.convTransposed(s, w, window, x);
        assertSame(back, onnx.convTransposed(s, w, window, x), "the transposed convolution");
        Value positive = onnx.unary(Unary.POSITIVE, x);
        Value negative = onnx.unary(Unary.NEGATIVE, x);
        Graph graph = onnx.graph("cse", Map.of("r", onnx.add(onnx.mul(positive, back), onnx.mul(negative, back))));
        Map<String, Long> opTypes = graph.nodes().stream()
                .collect(Collectors.groupingBy(Node::opType, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("Add", 2L, "Conv", 2L, "Div", 1L, "GreaterOrEqual", 1L, "Identity", 1L, "Mul", 2L,
                "Relu", 1L, "Sub", 1L, "Where", 1L), opTypes, "x- reuses the Relu of x+; each node once");
        assertEquals(graph.initializers().size(), graph.initializers().values().stream().distinct().count(),
                "each constant is written once");
    }
}
