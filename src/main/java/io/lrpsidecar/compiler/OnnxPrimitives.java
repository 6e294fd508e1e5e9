package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.graph.WindowGeometry;
import io.lrpsidecar.tensor.Comparison;
import io.lrpsidecar.tensor.Primitives;
import io.lrpsidecar.tensor.Unary;
import io.lrpsidecar.tensor.Window;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The primitives as ONNX nodes: each call appends the nodes computing it to the graph under construction and returns
 * the {@link Value} of the result, with its static shape at batch size 1. Elementwise primitives broadcast as ONNX
 * does. Three duties keep the graph as small as the hand-written emitters made it (ADR 0008):
 * <ul>
 *   <li><b>folding</b>: a primitive whose operands are all compile-time constants runs on {@link DoublePrimitives};
 *       its result is a constant {@link Value}, written as a float32 initializer only once a node reads it;</li>
 *   <li><b>common subexpressions</b>: one node per (op type, inputs, attributes) and one initializer per constant,
 *       so emitting the same thing twice returns the first {@link Value};</li>
 *   <li><b>peepholes</b> for the same mathematics: a stride-1 transposed convolution with a constant kernel is a
 *       convolution with the flipped, channel-swapped kernel ({@link LinearEmitter}); the transposed convolution or
 *       matrix product with an all-equal constant weight sums over the channels first; a MaxPool whose windows tile
 *       MaxPool routes through MaxUnpool at computed winner indices ({@link MaxPoolRouting}); {@code x + 0}, {@code x - 0}, {@code x * 1} and
 *       {@code x / 1} are {@code x}; {@code where(x >= 0, x, a x)} is LeakyRelu; the kept mean over all spatial
 *       axes is GlobalAveragePool.</li>
 * </ul>
 * {@link #compare} gives a {@code BOOL} value. Where a mask meets arithmetic it is cast to float (1 and 0), and
 * {@link #where} casts a float condition to a mask (non-zero is true), as {@link DoublePrimitives} reads its 1/0
 * masks, so rule code behaves the same on both.
 */
public final class OnnxPrimitives implements Primitives<Value> {
    private static final DoublePrimitives FOLD = DoublePrimitives.INSTANCE;
    private static final long FLOAT_CODE = ElementType.FLOAT.onnxCode();
    private static final long BOOL_CODE = ElementType.BOOL.onnxCode();

    private final GraphBuilder builder;
    private final long opset;
    private final Map<Tensor, Value> constants = new HashMap<>();
    private final Map<String, Tensor> unwritten = new HashMap<>();
    private final Map<String, String> maxPoolIndices = new HashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Emitted> producers = new HashMap<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private String scope = "p";

    OnnxPrimitives(GraphBuilder builder, long opset) {
        if (opset < ExplainerCompiler.MIN_OPSET) {
            throw new IllegalArgumentException("the primitives emit operator set " + ExplainerCompiler.MIN_OPSET
                    + " or later, asked for " + opset);
        }
        this.builder = builder;
        this.opset = opset;
    }

    /** Primitives emitting into a new, empty graph of the given operator set (17 or later). */
    public static OnnxPrimitives newGraph(long opset) {
        return new OnnxPrimitives(GraphBuilder.deduplicating(Set.of()), opset);
    }

    /** Declares a float graph input; its batch axis (if {@code batchAxis >= 0}) is dynamic. */
    public Value input(String name, int[] shapeAtBatchOne, int batchAxis) {
        if (!builder.fresh(name).equals(name)) {
            throw new IllegalArgumentException("graph input '" + name + "' clashes with a value of the same name");
        }
        Value input = value(name, ElementType.FLOAT, shapeAtBatchOne, batchAxis);
        inputs.add(new ValueInfo(name, ElementType.FLOAT, dims(input)));
        return input;
    }

    /** A value computed by nodes emitted outside these primitives (such as the forward pass). */
    public Value runtime(String name, ElementType type, int[] shapeAtBatchOne, int batchAxis) {
        return value(name, type, shapeAtBatchOne, batchAxis);
    }

    /** An initializer already in the graph under {@code name}; equal constants asked for later reuse it. */
    public Value initializer(String name, Tensor value) {
        Tensor stored = stored(value);
        Value known = new Value(name, stored.type(), stored.shape(), -1, stored);
        constants.putIfAbsent(stored, known);
        values.put(name, known);
        return known;
    }

    /** Names the values emitted from now on after {@code prefix} (for readable graphs; no effect on the maths). */
    public void scope(String prefix) {
        this.scope = prefix;
    }

    /**
     * The graph built so far with the given outputs (each an Identity of its value), pruned of what they do not
     * need. Only for graphs started with {@link #newGraph}.
     */
    public Graph graph(String name, Map<String, Value> outputs) {
        List<ValueInfo> infos = new ArrayList<>();
        outputs.forEach((output, value) -> {
            builder.opWithOutputs("Identity", output, Attributes.NONE, List.of(use(value)), List.of(output));
            infos.add(new ValueInfo(output, value.type(), dims(value)));
        });
        return builder.build(name, opset, inputs, infos, Map.of()).pruned();
    }

    // ---------------------------------------------------------------- constants

    @Override
    public Value constant(Tensor value) {
        Tensor stored = stored(value);
        Value known = constants.get(stored);
        if (known != null) {
            return known;
        }
        String written = builder.constantName(stored);
        Value constant = new Value(written != null ? written : builder.fresh(scope + "_const"), stored.type(),
                stored.shape(), -1, stored);
        constants.put(stored, constant);
        if (written == null) {
            unwritten.put(constant.name(), stored);
        }
        values.put(constant.name(), constant);
        return constant;
    }

    @Override
    public Value scalar(double value) {
        return constant(Tensor.scalar(value));
    }

    /** Zeros broadcastable to {@code x}: a constant of its batch-1 shape. */
    @Override
    public Value zerosLike(Value x) {
        return constant(Tensor.zeros(x.shape()));
    }

    /** Ones broadcastable to {@code x}: a constant of its batch-1 shape. */
    @Override
    public Value onesLike(Value x) {
        return constant(Tensor.filled(x.shape(), 1.0));
    }

    @Override
    public int rank(Value x) {
        return x.rank();
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public Value add(Value a, Value b) {
        return arithmetic("Add", FOLD::add, a, b);
    }

    @Override
    public Value sub(Value a, Value b) {
        return arithmetic("Sub", FOLD::sub, a, b);
    }

    @Override
    public Value mul(Value a, Value b) {
        return arithmetic("Mul", FOLD::mul, a, b);
    }

    @Override
    public Value div(Value a, Value b) {
        return arithmetic("Div", FOLD::div, a, b);
    }

    private Value arithmetic(String opType, BinaryOperator<Tensor> fold, Value a, Value b) {
        if (a.isConstant() && b.isConstant()) {
            return constant(fold.apply(a.constant(), b.constant()));
        }
        Value left = asFloat(a);
        Value right = asFloat(b);
        int[] shape = Shapes.broadcast(left.shape(), right.shape());
        int batchAxis = batchAxis(shape.length, left, right);
        double rightNeutral = opType.equals("Add") || opType.equals("Sub") ? 0 : 1;
        if (isFilledWith(right, rightNeutral) && hasShape(left, shape, batchAxis)) {
            return left;
        }
        boolean commutative = opType.equals("Add") || opType.equals("Mul");
        if (commutative && isFilledWith(left, rightNeutral) && hasShape(right, shape, batchAxis)) {
            return right;
        }
        return emit(opType, Attributes.NONE, ElementType.FLOAT, shape, batchAxis, use(left), use(right));
    }

    @Override
    public Value unary(Unary function, Value x) {
        if (x.isConstant()) {
            return constant(FOLD.unary(function, x.constant()));
        }
        Value in = asFloat(x);
        return switch (function) {
            case NEG -> elementwise("Neg", in);
            case POSITIVE -> elementwise("Relu", in);
            case NEGATIVE -> sub(in, unary(Unary.POSITIVE, in));
            case ABS -> elementwise("Abs", in);
            case SQUARE -> emit("Mul", Attributes.NONE, ElementType.FLOAT, in.shape(), in.batchAxis(), use(in),
                    use(in));
            case SQRT -> elementwise("Sqrt", in);
            case RECIPROCAL -> elementwise("Reciprocal", in);
            case EXP -> elementwise("Exp", in);
            case LOG -> elementwise("Log", in);
            case ERF -> elementwise("Erf", in);
            case TANH -> elementwise("Tanh", in);
            case SIGMOID -> elementwise("Sigmoid", in);
        };
    }

    private Value elementwise(String opType, Value x) {
        return emit(opType, Attributes.NONE, ElementType.FLOAT, x.shape(), x.batchAxis(), use(x));
    }

    /** A {@code BOOL} mask. */
    @Override
    public Value compare(Comparison comparison, Value a, Value b) {
        if (a.isConstant() && b.isConstant()) {
            return constant(toBool(FOLD.compare(comparison, a.constant(), b.constant())));
        }
        Value left = asFloat(a);
        Value right = asFloat(b);
        String opType = switch (comparison) {
            case GT -> "Greater";
            case GE -> "GreaterOrEqual";
            case LT -> "Less";
            case LE -> "LessOrEqual";
            case EQ -> "Equal";
        };
        int[] shape = Shapes.broadcast(left.shape(), right.shape());
        return emit(opType, Attributes.NONE, ElementType.BOOL, shape, batchAxis(shape.length, left, right),
                use(left), use(right));
    }

    /** {@code ifTrue} where the condition holds (a mask, or a float value that is non-zero). */
    @Override
    public Value where(Value condition, Value ifTrue, Value ifFalse) {
        if (condition.isConstant() && ifTrue.isConstant() && ifFalse.isConstant()) {
            return constant(FOLD.where(condition.constant(), ifTrue.constant(), ifFalse.constant()));
        }
        Value mask = asBool(condition);
        Value yes = asFloat(ifTrue);
        Value no = asFloat(ifFalse);
        Double slope = leakySlope(mask, yes, no);
        if (slope != null) {
            return emit("LeakyRelu", new Attributes(Map.of("alpha", slope)), ElementType.FLOAT, yes.shape(),
                    yes.batchAxis(), use(yes));
        }
        int[] shape = Shapes.broadcast(Shapes.broadcast(mask.shape(), yes.shape()), no.shape());
        return emit("Where", Attributes.NONE, ElementType.FLOAT, shape, batchAxis(shape.length, mask, yes, no),
                use(mask), use(yes), use(no));
    }

    /**
     * The slope {@code a} when {@code where(x >= 0, x, x * a)} (or {@code x > 0}) is asked for with a constant scalar
     * {@code a}: that is {@code LeakyRelu(x)}, as both give 0 at {@code x = 0}. Otherwise {@code null}.
     */
    private Double leakySlope(Value mask, Value x, Value scaled) {
        Emitted comparison = producers.get(mask.name());
        Emitted product = producers.get(scaled.name());
        if (comparison == null || product == null || x.isConstant()
                || !(comparison.opType().equals("GreaterOrEqual") || comparison.opType().equals("Greater"))
                || !comparison.inputs().get(0).equals(x.name()) || !isFilledWith(values.get(comparison.inputs()
                        .get(1)), 0) || !product.opType().equals("Mul") || !product.inputs().contains(x.name())
                || !hasShape(mask, x.shape(), x.batchAxis()) || !hasShape(scaled, x.shape(), x.batchAxis())) {
            return null;
        }
        String factor = product.inputs().get(0).equals(x.name()) ? product.inputs().get(1) : product.inputs().get(0);
        Value slope = values.get(factor);
        return slope != null && slope.isConstant() && slope.rank() == 0 ? slope.constant().asDoubles()[0] : null;
    }

    // ---------------------------------------------------------------- contractions

    /** {@code MatMul}; with an all-equal constant 2-D {@code b}, a sum over the last axis scaled instead. */
    @Override
    public Value matMul(Value a, Value b) {
        if (a.rank() < 2 || b.rank() < 2 || a.shape()[a.rank() - 1] != b.shape()[b.rank() - 2]) {
            throw new IllegalArgumentException("matMul expects [..., M, K] and [..., K, N], found "
                    + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape()));
        }
        if (a.isConstant() && b.isConstant()) {
            return constant(FOLD.matMul(a.constant(), b.constant()));
        }
        Double common = b.isConstant() && b.rank() == 2 ? commonValue(b.constant()) : null;
        if (common != null) {
            Value rowSums = reduceSum(a, new int[] {-1}, true);
            return mul(rowSums, constant(Tensor.filled(new int[] {b.shape()[1]}, common)));
        }
        Value left = asFloat(a);
        Value right = asFloat(b);
        int[] leading = Shapes.broadcast(Arrays.copyOf(left.shape(), left.rank() - 2),
                Arrays.copyOf(right.shape(), right.rank() - 2));
        int rank = leading.length + 2;
        int[] shape = Arrays.copyOf(leading, rank);
        shape[rank - 2] = left.shape()[left.rank() - 2];
        shape[rank - 1] = right.shape()[right.rank() - 1];
        int batchAxis = combine(contractionBatchAxis(left, rank, left.rank() - 1, rank - 2),
                contractionBatchAxis(right, rank, right.rank() - 2, rank - 1), left, right);
        return emit("MatMul", Attributes.NONE, ElementType.FLOAT, shape, batchAxis, use(left), use(right));
    }

    /**
     * Where an operand's batch axis lands in a product of the given rank: the contracted axis may not carry the
     * batch, the operand's own matrix axis keeps it, leading axes align from the right.
     */
    private static int contractionBatchAxis(Value operand, int rank, int contracted, int ownAxisInResult) {
        int axis = operand.batchAxis();
        if (axis < 0) {
            return -1;
        }
        if (axis == contracted) {
            throw new IllegalArgumentException("a product cannot sum over the batch axis " + axis + " of " + operand);
        }
        return axis >= operand.rank() - 2 ? ownAxisInResult : axis + rank - operand.rank();
    }

    /** {@code Gemm(transB)} at rank 2, otherwise {@code MatMul} with the transposed weight and {@code Add}. */
    @Override
    public Value linear(Value x, Value w, Value bias) {
        if (x.isConstant() && w.isConstant() && (bias == null || bias.isConstant())) {
            return constant(FOLD.linear(x.constant(), w.constant(), bias == null ? null : bias.constant()));
        }
        if (x.rank() != 2 || w.rank() != 2) {
            Value product = matMul(x, transpose(w, new int[] {1, 0}));
            return bias == null ? product : add(product, bias);
        }
        if (x.shape()[1] != w.shape()[1]) {
            throw new IllegalArgumentException("linear: input of shape " + Shapes.format(x.shape())
                    + " does not match weight [out, in] of shape " + Shapes.format(w.shape()));
        }
        int batchAxis = combine(contractionBatchAxis(x, 2, 1, 0), contractionBatchAxis(w, 2, 1, 1), x, w);
        Attributes transB = new Attributes(Map.of("transB", 1L));
        int[] shape = {x.shape()[0], w.shape()[0]};
        return bias == null ? emit("Gemm", transB, ElementType.FLOAT, shape, batchAxis, use(asFloat(x)), use(w))
                : emit("Gemm", transB, ElementType.FLOAT, shape, batchAxis, use(asFloat(x)), use(w), use(bias));
    }

    @Override
    public Value conv(Value x, Value w, Value bias, Window window) {
        requireConv(window);
        if (x.isConstant() && w.isConstant() && (bias == null || bias.isConstant())) {
            return constant(FOLD.conv(x.constant(), w.constant(), bias == null ? null : bias.constant(), window));
        }
        requireChannelsFirst(x);
        String input = use(asFloat(x));
        String weight = use(w);
        String shift = bias == null ? null : use(bias);
        String output = new LinearEmitter(builder, window.node(), x.shape(), w.shape())
                .forward(input, weight, shift, hint("conv"));
        int[] shape = window.geometry(x.shape(), kernel(w)).outputShape(x.shape(), w.shape()[0]);
        return value(output, ElementType.FLOAT, shape, x.batchAxis());
    }

    /**
     * {@code J_x^T s} of {@link #conv}, through {@link LinearEmitter#transposed}: a convolution with the flipped,
     * channel-swapped kernel for a constant stride-1 kernel, else ConvTranspose with the output padding that restores
     * the input size. An all-equal constant kernel without groups gives every input channel the same value, so it
     * runs once on the sum of {@code s} over the output channels and is broadcast.
     */
    @Override
    public Value convTransposed(Value s, Value w, Window window, Value input) {
        requireConv(window);
        if (s.isConstant() && w.isConstant()) {
            return constant(FOLD.convTransposed(s.constant(), w.constant(), window, Tensor.zeros(input.shape())));
        }
        requireChannelsFirst(s);
        Double common = w.isConstant() && window.groups() == 1 ? commonValue(w.constant()) : null;
        if (common == null) {
            return transposedConv(asFloat(s), w, window, input.shape());
        }
        Value channelSum = reduceSum(s, new int[] {1}, true);
        int[] singleKernel = w.shape();
        singleKernel[0] = 1;
        singleKernel[1] = 1;
        int[] singleInput = input.shape();
        singleInput[1] = 1;
        Value spread = transposedConv(channelSum, constant(Tensor.filled(singleKernel, common)), window,
                singleInput);
        return expandLike(spread, input);
    }

    private Value transposedConv(Value s, Value w, Window window, int[] inputShape) {
        String gradient = use(s);
        String weight = use(w);
        String output = new LinearEmitter(builder, window.node(), inputShape, w.shape())
                .transposed(weight, gradient, hint("conv_transposed"));
        return value(output, ElementType.FLOAT, inputShape, s.batchAxis());
    }

    // ---------------------------------------------------------------- windows

    /** AveragePool in floor mode with explicit pads (and an explicit zero Pad when pads count), see {@link Pools}. */
    @Override
    public Value averagePool(Value x, Window window) {
        if (x.isConstant()) {
            return constant(FOLD.averagePool(x.constant(), window));
        }
        requireChannelsFirst(x);
        String hint = hint("average_pool");
        Pools.AveragePoolInput pool = Pools.averagePoolInput(builder, window.node(), x.shape(), use(asFloat(x)),
                hint);
        int[] shape = window.poolGeometry(x.shape()).outputShape(x.shape(), x.shape()[1]);
        return emit("AveragePool", pool.attributes(), ElementType.FLOAT, shape, x.batchAxis(), pool.input());
    }

    /** The shares of {@code s} (divided by each window's divisor) spread by a depthwise transposed convolution. */
    @Override
    public Value averagePoolTransposed(Value s, Window window, Value input) {
        if (s.isConstant()) {
            return constant(FOLD.averagePoolTransposed(s.constant(), window, Tensor.zeros(input.shape())));
        }
        requireChannelsFirst(s);
        String output = Pools.averagePoolTransposed(builder, window.node(), input.shape(), use(asFloat(s)),
                hint("average_pool_transposed"));
        return value(output, ElementType.FLOAT, input.shape(), s.batchAxis());
    }

    /**
     * MaxPool in floor mode (explicit pads, so that ONNX Runtime's kernel and shape inference agree); with its
     * {@code Indices} output too where the windows do not tile the input, for the routing.
     */
    @Override
    public Value maxPool(Value x, Window window) {
        if (x.isConstant()) {
            return constant(FOLD.maxPool(x.constant(), window));
        }
        requireChannelsFirst(x);
        WindowGeometry geometry = window.poolGeometry(x.shape());
        int[] shape = geometry.outputShape(x.shape(), x.shape()[1]);
        if (MaxPoolRouting.tiles(geometry, x.rank())) {
            return emit("MaxPool", Pools.floorModeAttributes(window.node(), x.shape(), false), ElementType.FLOAT,
                    shape, x.batchAxis(), use(asFloat(x)));
        }
        return value(maxPoolWithIndices(x, window).get(0), ElementType.FLOAT, shape, x.batchAxis());
    }

    private List<String> maxPoolWithIndices(Value x, Window window) {
        List<String> outputs = builder.ops("MaxPool", hint("max_pool"), Pools.floorModeAttributes(window.node(),
                x.shape(), false), List.of(use(asFloat(x))), 2);
        maxPoolIndices.putIfAbsent(outputs.get(0), outputs.get(1));
        return outputs;
    }

    /** Routes {@code s} to the first maximal element of each window ({@link MaxPoolRouting}). */
    @Override
    public Value maxPoolRoute(Value s, Value x, Value y, Window window) {
        if (s.isConstant() && x.isConstant() && y.isConstant()) {
            return constant(FOLD.maxPoolRoute(s.constant(), x.constant(), y.constant(), window));
        }
        requireChannelsFirst(x);
        WindowGeometry geometry = window.poolGeometry(x.shape());
        String hint = hint("max_pool_route");
        String output;
        if (MaxPoolRouting.tiles(geometry, x.rank())) {
            output = MaxPoolRouting.routeTiling(builder, geometry, x.shape(), use(asFloat(x)), use(asFloat(s)), hint);
        } else {
            String indices = maxPoolIndices.get(y.name());
            if (indices == null) {
                indices = maxPoolWithIndices(x, window).get(1);
            }
            output = MaxPoolRouting.routeByIndices(builder, geometry, x.shape(), use(asFloat(x)), indices,
                    use(asFloat(s)), hint);
        }
        return value(output, ElementType.FLOAT, x.shape(), x.batchAxis());
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public Value reduceSum(Value x, int[] axes, boolean keepDims) {
        if (x.isConstant()) {
            return constant(FOLD.reduceSum(x.constant(), axes, keepDims));
        }
        if (axes.length == 0) {
            return x;
        }
        long[] normalized = normalizedAxes(axes, x.rank());
        Attributes keep = new Attributes(Map.of("keepdims", keepDims ? 1L : 0L));
        return reduction(x, normalized, keepDims, "ReduceSum", keep, builder.longs(hint("axes"), normalized));
    }

    /**
     * ReduceMean, with its axes as an attribute before operator set 18 and as an input from 18 on; the mean over all
     * spatial axes of {@code [N, C, spatial...]}, kept, is GlobalAveragePool.
     */
    @Override
    public Value reduceMean(Value x, int[] axes, boolean keepDims) {
        if (x.isConstant()) {
            return constant(FOLD.reduceMean(x.constant(), axes, keepDims));
        }
        if (axes.length == 0) {
            return x;
        }
        long[] normalized = normalizedAxes(axes, x.rank());
        if (keepDims && x.rank() >= 3 && x.batchAxis() <= 0
                && Arrays.equals(normalized, LongStream.range(2, x.rank()).toArray())) {
            int[] shape = x.shape();
            Arrays.fill(shape, 2, shape.length, 1);
            return emit("GlobalAveragePool", Attributes.NONE, ElementType.FLOAT, shape, x.batchAxis(),
                    use(asFloat(x)));
        }
        Attributes keep = new Attributes(Map.of("keepdims", keepDims ? 1L : 0L));
        return opset >= 18
                ? reduction(x, normalized, keepDims, "ReduceMean", keep, builder.longs(hint("axes"), normalized))
                : reduction(x, normalized, keepDims, "ReduceMean", keep.with("axes", normalized));
    }

    private Value reduction(Value x, long[] axes, boolean keepDims, String opType, Attributes attributes,
            String... extraInputs) {
        List<Integer> shape = new ArrayList<>();
        int batchAxis = -1;
        for (int axis = 0; axis < x.rank(); axis++) {
            long current = axis;
            boolean reduced = Arrays.stream(axes).anyMatch(reducedAxis -> reducedAxis == current);
            if (!reduced && axis == x.batchAxis()) {
                batchAxis = shape.size();
            }
            if (!reduced || keepDims) {
                shape.add(reduced ? 1 : x.shape()[axis]);
            }
        }
        String[] names = new String[extraInputs.length + 1];
        names[0] = use(asFloat(x));
        System.arraycopy(extraInputs, 0, names, 1, extraInputs.length);
        return emit(opType, attributes, ElementType.FLOAT, shape.stream().mapToInt(Integer::intValue).toArray(),
                batchAxis, names);
    }

    /** {@code x} broadcast to the shape of {@code like}: Expand to {@code Shape(like)} where that follows the batch. */
    @Override
    public Value expandLike(Value x, Value like) {
        if (x.isConstant() && !like.hasBatchAxis()) {
            return constant(FOLD.expandLike(x.constant(), Tensor.zeros(like.shape())));
        }
        Value in = asFloat(x);
        if (hasShape(in, like.shape(), like.batchAxis())) {
            return in;
        }
        String target = like.hasBatchAxis() ? builder.op("Shape", hint("shape"), use(like))
                : builder.longs(hint("shape"), longs(like.shape()));
        return emit("Expand", Attributes.NONE, ElementType.FLOAT, like.shape(), like.batchAxis(), use(in), target);
    }

    @Override
    public Value softmax(Value x, int axis) {
        if (x.isConstant()) {
            return constant(FOLD.softmax(x.constant(), axis));
        }
        return emit("Softmax", new Attributes(Map.of("axis", (long) Shapes.axis(axis, x.rank()))),
                ElementType.FLOAT, x.shape(), x.batchAxis(), use(asFloat(x)));
    }

    @Override
    public Value logSoftmax(Value x, int axis) {
        if (x.isConstant()) {
            return constant(FOLD.logSoftmax(x.constant(), axis));
        }
        return emit("LogSoftmax", new Attributes(Map.of("axis", (long) Shapes.axis(axis, x.rank()))),
                ElementType.FLOAT, x.shape(), x.batchAxis(), use(asFloat(x)));
    }

    // ---------------------------------------------------------------- movement

    /** Reshape to an ONNX target; the batch axis is where the target puts the batch (it must stay one axis). */
    @Override
    public Value reshape(Value x, long[] onnxTarget) {
        if (x.isConstant()) {
            return constant(FOLD.reshape(x.constant(), onnxTarget));
        }
        Node described = Node.of(scope, "Reshape", List.of(x.name()), List.of(), Attributes.NONE);
        int[] shape = ShapeFunctions.reshape(described, x.shape(), onnxTarget);
        int batchAxis = -1;
        if (x.hasBatchAxis()) {
            int[] twoRows = x.shape();
            twoRows[x.batchAxis()] = 2;
            int[] reshapedTwoRows = ShapeFunctions.reshape(described, twoRows, onnxTarget);
            int[] changed = IntStream.range(0, shape.length).filter(axis -> shape[axis] != reshapedTwoRows[axis])
                    .toArray();
            if (changed.length != 1 || shape[changed[0]] != 1 || reshapedTwoRows[changed[0]] != 2) {
                throw new ModelLoadException("the compiled explainer needs the batch on an axis of its own, but "
                        + "the reshape of " + x.name() + " " + Arrays.toString(x.shape()) + " to "
                        + Arrays.toString(onnxTarget) + " merges it with another axis (as PyTorch's "
                        + "nn.MultiheadAttention does with the heads); explain this model with the reference engine");
            }
            batchAxis = changed[0];
        }
        if (hasShape(x, shape, batchAxis)) {
            return x;
        }
        return emit("Reshape", Attributes.NONE, x.type(), shape, batchAxis, use(x),
                builder.longs(hint("target"), onnxTarget));
    }

    /** Reshape to the shape of {@code like}: to {@code Shape(like)} where both follow the batch. */
    @Override
    public Value reshapeLike(Value x, Value like) {
        if (x.isConstant()) {
            return constant(FOLD.reshapeLike(x.constant(), Tensor.zeros(like.shape())));
        }
        if (Shapes.size(x.shape()) != Shapes.size(like.shape())) {
            throw new IllegalArgumentException("cannot reshape " + x + " like " + like
                    + ": the sizes at batch 1 differ");
        }
        int batchAxis = x.hasBatchAxis() ? like.batchAxis() : -1;
        if (x.hasBatchAxis() && !like.hasBatchAxis()) {
            throw new IllegalArgumentException("cannot reshape " + x + ", which follows the batch, like " + like
                    + ", which does not");
        }
        if (hasShape(x, like.shape(), batchAxis)) {
            return x;
        }
        String target = batchAxis >= 0 ? builder.op("Shape", hint("shape"), use(like))
                : builder.longs(hint("shape"), longs(like.shape()));
        return emit("Reshape", Attributes.NONE, x.type(), like.shape(), batchAxis, use(x), target);
    }

    @Override
    public Value transpose(Value x, int[] permutation) {
        if (x.isConstant()) {
            return constant(FOLD.transpose(x.constant(), permutation));
        }
        if (permutation.length != x.rank()) {
            throw new IllegalArgumentException("transpose of " + x + " expects a permutation of " + x.rank()
                    + " axes, found " + Arrays.toString(permutation));
        }
        if (IntStream.range(0, permutation.length).allMatch(axis -> permutation[axis] == axis)) {
            return x;
        }
        int batchAxis = IntStream.range(0, permutation.length).filter(axis -> permutation[axis] == x.batchAxis())
                .findFirst().orElse(-1);
        long[] perm = Arrays.stream(permutation).asLongStream().toArray();
        return emit("Transpose", new Attributes(Map.of("perm", perm)), x.type(),
                ShapeFunctions.transpose(x.shape(), permutation), batchAxis, use(x));
    }

    /** Zero padding with Pad; where every pad crops, a Slice; mixed pads pad first and crop after. */
    @Override
    public Value pad(Value x, long[] pads) {
        if (x.isConstant()) {
            return constant(FOLD.pad(x.constant(), pads));
        }
        int rank = x.rank();
        if (pads.length != 2 * rank) {
            throw new IllegalArgumentException("pad of " + x + " expects " + 2 * rank + " pads, found "
                    + Arrays.toString(pads));
        }
        if (x.hasBatchAxis() && (pads[x.batchAxis()] != 0 || pads[x.batchAxis() + rank] != 0)) {
            throw new IllegalArgumentException("pad of " + x + " may not pad the batch axis, found "
                    + Arrays.toString(pads));
        }
        boolean grows = Arrays.stream(pads).anyMatch(pad -> pad > 0);
        boolean crops = Arrays.stream(pads).anyMatch(pad -> pad < 0);
        if (grows && crops) {
            return pad(pad(x, Arrays.stream(pads).map(pad -> Math.max(pad, 0)).toArray()),
                    Arrays.stream(pads).map(pad -> Math.min(pad, 0)).toArray());
        }
        int[] shape = ShapeFunctions.pad(x.shape(), pads);
        if (grows) {
            return emit("Pad", new Attributes(Map.of("mode", "constant")), x.type(), shape, x.batchAxis(), use(x),
                    builder.longs(hint("pads"), pads));
        }
        if (!crops) {
            return x;
        }
        long[] axes = IntStream.range(0, rank).filter(axis -> pads[axis] != 0 || pads[axis + rank] != 0)
                .asLongStream().toArray();
        long[] starts = Arrays.stream(axes).map(axis -> -pads[(int) axis]).toArray();
        long[] ends = Arrays.stream(axes).map(axis -> x.shape()[(int) axis] + pads[(int) axis + rank]).toArray();
        return emit("Slice", Attributes.NONE, x.type(), shape, x.batchAxis(), use(x),
                builder.longs(hint("starts"), starts), builder.longs(hint("ends"), ends),
                builder.longs(hint("axes"), axes));
    }

    /** Slice to the extent of {@code like} on one axis: {@code Slice(x, 0, Shape(like)[axis])}. */
    @Override
    public Value sliceLike(Value x, Value like, int axis) {
        if (x.isConstant() && !like.hasBatchAxis()) {
            return constant(FOLD.sliceLike(x.constant(), Tensor.zeros(like.shape()), axis));
        }
        int[] shape = x.shape();
        shape[axis] = like.shape()[axis];
        int batchAxis = axis == like.batchAxis() ? axis : x.batchAxis();
        String end = like.batchAxis() == axis
                ? builder.op("Shape", hint("extent"), new Attributes(Map.of("start", (long) axis, "end",
                        (long) axis + 1)), use(like))
                : builder.longs(hint("extent"), like.shape()[axis]);
        return emit("Slice", Attributes.NONE, x.type(), shape, batchAxis, use(x), builder.longs(hint("start"), 0),
                end, builder.longs(hint("axis"), axis));
    }

    /** Sums a broadcast result back to the shape of {@code like}: ReduceSum over the broadcast axes, then Reshape. */
    @Override
    public Value reduceSumLike(Value x, Value like) {
        if (x.isConstant() && like.isConstant()) {
            return constant(FOLD.reduceSumLike(x.constant(), like.constant()));
        }
        int offset = x.rank() - like.rank();
        List<Integer> axes = new ArrayList<>();
        for (int axis = 0; axis < x.rank(); axis++) {
            boolean batchOnlyInX = axis == x.batchAxis() && (axis < offset || like.batchAxis() != axis - offset);
            if (axis < offset || batchOnlyInX || (like.shape()[axis - offset] == 1 && x.shape()[axis] != 1)) {
                axes.add(axis);
            }
        }
        if (axes.isEmpty() && x.rank() == like.rank()) {
            return x;
        }
        Value summed = reduceSum(x, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return like.hasBatchAxis() ? reshapeLike(summed, like) : reshape(summed, longs(like.shape()));
    }

    @Override
    public Value gather(Value data, Value indices, int axis) {
        if (data.isConstant() && indices.isConstant()) {
            return constant(FOLD.gather(data.constant(), indices.constant(), axis));
        }
        int[] dataShape = data.shape();
        int[] indexShape = indices.shape();
        int[] shape = new int[dataShape.length - 1 + indexShape.length];
        System.arraycopy(dataShape, 0, shape, 0, axis);
        System.arraycopy(indexShape, 0, shape, axis, indexShape.length);
        System.arraycopy(dataShape, axis + 1, shape, axis + indexShape.length, dataShape.length - axis - 1);
        int batchAxis = indices.hasBatchAxis() ? axis + indices.batchAxis()
                : !data.hasBatchAxis() ? -1
                : data.batchAxis() < axis ? data.batchAxis() : data.batchAxis() - 1 + indexShape.length;
        return emit("Gather", new Attributes(Map.of("axis", (long) axis)), data.type(), shape, batchAxis,
                use(data), use(indices));
    }

    /**
     * The adjoint of a Gather by constant indices that select one position or a contiguous ascending run: the
     * gradient padded with zeros around that run (an Unsqueeze first for a single index).
     */
    @Override
    public Value gatherTransposed(Value s, Value indices, int axis, Value data) {
        if (!indices.isConstant()) {
            throw new ModelLoadException("the compiled explainer passes relevance back through a Gather only for "
                    + "constant indices, found indices computed at run time (" + indices + ")");
        }
        long[] index = indices.constant().asLongs();
        int extent = data.shape()[axis];
        long first = index.length == 0 ? 0 : Math.floorMod(index[0], extent);
        for (int i = 1; i < index.length; i++) {
            if (Math.floorMod(index[i], extent) != first + i) {
                throw new ModelLoadException("the compiled explainer passes relevance back through a Gather only "
                        + "for a contiguous ascending run of indices, found " + Arrays.toString(index));
            }
        }
        Value run = indices.rank() == 0 ? reshape(s, unsqueezedTarget(s, axis)) : s;
        long[] pads = new long[2 * data.rank()];
        pads[axis] = first;
        pads[axis + data.rank()] = extent - first - index.length;
        return pad(run, pads);
    }

    private static long[] unsqueezedTarget(Value s, int axis) {
        long[] target = new long[s.rank() + 1];
        int source = 0;
        for (int i = 0; i < target.length; i++) {
            target[i] = i == axis ? 1 : (source == s.batchAxis() ? -1 : s.shape()[source]);
            source += i == axis ? 0 : 1;
        }
        return target;
    }

    @Override
    public Value cast(Value x, ElementType type) {
        if (x.isConstant()) {
            return constant(FOLD.cast(x.constant(), type));
        }
        if (x.type() == type) {
            return x;
        }
        return emit("Cast", new Attributes(Map.of("to", (long) type.onnxCode())), type, x.shape(), x.batchAxis(),
                use(x));
    }

    /** Concat; a part that does not follow the batch is first expanded to the batch of the others. */
    @Override
    public Value concat(List<Value> parts, int axis) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        if (parts.stream().allMatch(Value::isConstant)) {
            return constant(FOLD.concat(parts.stream().map(Value::constant).toList(), axis));
        }
        int rank = parts.get(0).rank();
        int along = Shapes.axis(axis, rank);
        Value batched = parts.stream().filter(Value::hasBatchAxis).findFirst().orElse(null);
        List<Value> aligned = parts.stream().map(part -> batched == null || part.hasBatchAxis() ? asFloat(part)
                : toBatchOf(asFloat(part), batched)).toList();
        Node described = Node.of(scope, "Concat", List.of(), List.of(), new Attributes(Map.of("axis", (long) along)));
        int[] shape = ShapeFunctions.concat(described, aligned.stream().map(Value::shape).toList());
        int batchAxis = batchAxis(rank, aligned.toArray(Value[]::new));
        if (batchAxis == along) {
            throw new IllegalArgumentException("concat along the batch axis " + along + " of " + parts);
        }
        return emit("Concat", new Attributes(Map.of("axis", (long) along)), ElementType.FLOAT, shape, batchAxis,
                aligned.stream().map(this::use).toArray(String[]::new));
    }

    /** {@code part} repeated along the batch of {@code reference}: Expand to {@code Shape(sum of each row)}. */
    private Value toBatchOf(Value part, Value reference) {
        int[] rows = IntStream.range(0, reference.rank()).filter(axis -> axis != reference.batchAxis()).toArray();
        Value rowSums = reduceSum(reference, rows, true);
        String target = builder.op("Shape", hint("shape"), use(rowSums));
        return emit("Expand", Attributes.NONE, ElementType.FLOAT, part.shape(), reference.batchAxis(), use(part),
                target);
    }

    @Override
    public List<Value> split(Value x, int axis, long[] sizes) {
        if (x.isConstant()) {
            return FOLD.split(x.constant(), axis, sizes).stream().map(this::constant).toList();
        }
        int along = Shapes.axis(axis, x.rank());
        if (Arrays.stream(sizes).sum() != x.shape()[along] || along == x.batchAxis()) {
            throw new IllegalArgumentException("split of " + x + " along axis " + along + " into "
                    + Arrays.toString(sizes) + ": expected sizes adding up to " + x.shape()[along]
                    + " on an axis other than the batch axis");
        }
        if (sizes.length == 1) {
            return List.of(x);
        }
        List<String> outputs = builder.ops("Split", hint("split"), new Attributes(Map.of("axis", (long) along)),
                List.of(use(x), builder.longs(hint("sizes"), sizes)), sizes.length);
        List<Value> parts = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            int[] shape = x.shape();
            shape[along] = (int) sizes[i];
            parts.add(value(outputs.get(i), x.type(), shape, x.batchAxis()));
        }
        return parts;
    }

    // ---------------------------------------------------------------- helpers

    /** The name of a value for a node to read; a constant becomes an initializer here, at its first use. */
    String use(Value value) {
        Tensor unused = unwritten.remove(value.name());
        if (unused != null) {
            builder.define(value.name(), unused);
        }
        return value.name();
    }

    private Value emit(String opType, Attributes attributes, ElementType type, int[] shape, int batchAxis,
            String... inputs) {
        String output = builder.op(opType, hint(opType.toLowerCase(Locale.ROOT)), attributes, inputs);
        producers.putIfAbsent(output, new Emitted(opType, List.of(inputs)));
        return value(output, type, shape, batchAxis);
    }

    /** How a value was computed, for the peepholes that recognise a formula: its op type and input names. */
    private record Emitted(String opType, List<String> inputs) {
    }

    /** The value of a name: the one made the first time, so a common subexpression gives the first value back. */
    private Value value(String name, ElementType type, int[] shape, int batchAxis) {
        return values.computeIfAbsent(name, known -> new Value(known, type, shape, batchAxis, null));
    }

    private String hint(String what) {
        return scope + "_" + what;
    }

    private Value asFloat(Value x) {
        if (x.type() != ElementType.BOOL) {
            return x;
        }
        if (x.isConstant()) {
            return constant(Tensor.of(x.shape(), x.constant().asDoubles()));
        }
        return emit("Cast", new Attributes(Map.of("to", FLOAT_CODE)), ElementType.FLOAT, x.shape(), x.batchAxis(),
                use(x));
    }

    private Value asBool(Value x) {
        if (x.type() == ElementType.BOOL) {
            return x;
        }
        if (x.isConstant()) {
            return constant(toBool(x.constant()));
        }
        return emit("Cast", new Attributes(Map.of("to", BOOL_CODE)), ElementType.BOOL, x.shape(), x.batchAxis(),
                use(x));
    }

    private static Tensor toBool(Tensor mask) {
        long[] flags = Arrays.stream(mask.asDoubles()).mapToLong(value -> value != 0 ? 1 : 0).toArray();
        return new Tensor(ElementType.BOOL, mask.shape(), null, flags);
    }

    /** A tensor as it is written: double precision becomes float32, integers and masks keep their type. */
    private static Tensor stored(Tensor value) {
        return value.type() == ElementType.DOUBLE ? Tensor.of(value.shape(), value.doubles()) : value;
    }

    /** The value every element of {@code tensor} has, or {@code null} if they differ. */
    private static Double commonValue(Tensor tensor) {
        double[] values = tensor.asDoubles();
        if (values.length == 0) {
            return null;
        }
        for (double value : values) {
            if (Double.compare(value, values[0]) != 0) {
                return null;
            }
        }
        return values[0];
    }

    private static boolean isFilledWith(Value value, double filler) {
        Double common = value != null && value.isConstant() ? commonValue(value.constant()) : null;
        return common != null && common == filler;
    }

    private static boolean hasShape(Value value, int[] shape, int batchAxis) {
        return Arrays.equals(value.shape(), shape) && value.batchAxis() == batchAxis;
    }

    /** The batch axis of a broadcast result of the given rank: the operands' axes aligned from the right. */
    private static int batchAxis(int rank, Value... operands) {
        int axis = -1;
        for (Value operand : operands) {
            if (operand.hasBatchAxis()) {
                axis = combine(axis, operand.batchAxis() + rank - operand.rank(), operands);
            }
        }
        return axis;
    }

    private static int combine(int first, int second, Value... operands) {
        if (first >= 0 && second >= 0 && first != second) {
            throw new IllegalArgumentException("the operands " + Arrays.toString(operands)
                    + " put the batch on different axes of the result (" + first + " and " + second + ")");
        }
        return Math.max(first, second);
    }

    private static long[] normalizedAxes(int[] axes, int rank) {
        return Arrays.stream(axes).map(axis -> Shapes.axis(axis, rank)).distinct().sorted().asLongStream()
                .toArray();
    }

    private static long[] kernel(Value w) {
        return Arrays.stream(w.shape(), 2, w.rank()).asLongStream().toArray();
    }

    private static long[] longs(int[] shape) {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    /** The dimensions of a value's type: its static shape, with the batch axis dynamic. */
    private static List<Integer> dims(Value value) {
        List<Integer> dims = new ArrayList<>();
        for (int axis = 0; axis < value.rank(); axis++) {
            dims.add(axis == value.batchAxis() ? -1 : value.shape()[axis]);
        }
        return dims;
    }

    private static void requireConv(Window window) {
        if (!window.node().opType().equals("Conv")) {
            throw new IllegalArgumentException("a convolution needs the window of a Conv node, found "
                    + window.node().describe());
        }
    }

    private static void requireChannelsFirst(Value x) {
        if (x.batchAxis() > 0) {
            throw new IllegalArgumentException("windowed primitives read [N, C, spatial...], found " + x
                    + " with the batch on axis " + x.batchAxis());
        }
    }
}
