package io.lrpsidecar.graph.rewrite;

import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * A LayerNorm as PyTorch exports it below opset 17, nine nodes:
 * <pre>
 *   μ = ReduceMean(x, axes)             d = Sub(x, μ)
 *   v = ReduceMean(Pow(d, 2), axes)     y = Div(d, Sqrt(Add(v, ε)))
 *   out = Add(Mul(y, γ), β)             (the affine Mul and Add are optional)
 * </pre>
 * that is {@code out = (x − mean(x)) / sqrt(var(x) + ε) · γ + β} over the trailing {@code axes}, becomes one ONNX
 * {@code LayerNormalization(x, γ, β)} with {@code axis = −(number of axes)} and {@code epsilon = ε}. The axes may be
 * an attribute (opset &lt; 18) or a constant input (opset 18); a missing γ becomes ones and a missing β zeros, of
 * the normalized dimensions when shape inference knows them and broadcastable ones ({@code [1, ..., 1]}) otherwise.
 *
 * <p>Check: both reductions keep their dimensions and reduce the same trailing axes; the exponent is exactly 2;
 * ε is a one-element constant ≥ 0; γ and β are constants that do not vary along the axes that are not normalized;
 * {@code d} is read only by the Pow and the Div and no other intermediate value leaves the pattern.
 */
public final class LayerNormPattern implements RewritePattern {

    @Override
    public String name() {
        return "LayerNorm";
    }

    @Override
    public Optional<Match> match(GraphView graph, Node anchor) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        Optional<Node> div = affine(graph, anchor, nodes, values);
        if (div.isEmpty()) {
            return Optional.empty();
        }
        nodes.put("div", div.get());
        String centered = div.get().input(0);
        Optional<Node> sqrt = graph.producer(div.get().input(1), "Sqrt");
        Optional<Node> epsilonAdd = sqrt.flatMap(node -> graph.producer(node.input(0), "Add"));
        Optional<GraphView.Operands> epsilon = epsilonAdd.flatMap(graph::splitConstant);
        Optional<Node> varianceMean = epsilon.flatMap(operands -> graph.producer(operands.value(), "ReduceMean"));
        Optional<Node> pow = varianceMean.flatMap(node -> graph.producer(node.input(0), "Pow"));
        Optional<Node> sub = graph.producer(centered, "Sub");
        Optional<Node> mean = sub.flatMap(node -> graph.producer(node.input(1), "ReduceMean"));
        if (pow.isEmpty() || mean.isEmpty() || !pow.get().input(0).equals(centered)
                || !mean.get().input(0).equals(sub.get().input(0))) {
            return Optional.empty();
        }
        nodes.put("sqrt", sqrt.get());
        nodes.put("epsilonAdd", epsilonAdd.get());
        nodes.put("varianceMean", varianceMean.get());
        nodes.put("pow", pow.get());
        nodes.put("sub", sub.get());
        nodes.put("mean", mean.get());
        values.put("x", sub.get().input(0));
        values.put("epsilon", epsilon.get().constant());
        values.put("exponent", pow.get().input(1));
        return Optional.of(new Match(anchor, nodes, values));
    }

    /** Matches the optional {@code Add(·, β)} and {@code Mul(·, γ)} ending at the anchor; returns the Div below. */
    private static Optional<Node> affine(GraphView graph, Node anchor, Map<String, Node> nodes,
            Map<String, String> values) {
        Node current = anchor;
        if (isDefault(current, "Add")) {
            Optional<GraphView.Operands> bias = graph.splitConstant(current);
            if (bias.isEmpty()) {
                return Optional.empty();
            }
            nodes.put("biasAdd", current);
            values.put("bias", bias.get().constant());
            Optional<Node> below = graph.producer(bias.get().value(), "Mul")
                    .or(() -> graph.producer(bias.get().value(), "Div"));
            if (below.isEmpty()) {
                return Optional.empty();
            }
            current = below.get();
        }
        if (isDefault(current, "Mul")) {
            Optional<GraphView.Operands> scale = graph.splitConstant(current);
            if (scale.isEmpty()) {
                return Optional.empty();
            }
            nodes.put("scaleMul", current);
            values.put("scale", scale.get().constant());
            return graph.producer(scale.get().value(), "Div");
        }
        return isDefault(current, "Div") ? Optional.of(current) : Optional.empty();
    }

    @Override
    public boolean check(GraphView graph, Match match) {
        if (!graph.readOnlyWithin(match) || graph.constant(match.value("x")).isPresent()) {
            return false;
        }
        if (graph.uses(match.node("sub").output()) != 2 || graph.scalar(match.value("exponent")).orElse(0) != 2) {
            return false;
        }
        double epsilon = graph.scalar(match.value("epsilon")).orElse(-1);
        OptionalInt axisCount = normalizedAxisCount(graph, match);
        if (!(epsilon >= 0 && Double.isFinite(epsilon)) || axisCount.isEmpty()) {
            return false;
        }
        int[] dims = normalizedDims(graph, match, axisCount.getAsInt());
        return fitsIfPresent(graph, match, "scale", axisCount.getAsInt(), dims)
                && fitsIfPresent(graph, match, "bias", axisCount.getAsInt(), dims);
    }

    @Override
    public Replacement rewrite(GraphView graph, Match match) {
        int axisCount = normalizedAxisCount(graph, match).orElseThrow();
        int[] dims = normalizedDims(graph, match, axisCount);
        String name = graph.fusedNodeName(match, "LayerNormalization");
        Map<String, Tensor> added = new LinkedHashMap<>();
        Tensor scale = match.values().containsKey("scale")
                ? affineParameter(graph, match, "scale", axisCount, dims).orElseThrow() : null;
        Tensor bias = match.values().containsKey("bias")
                ? affineParameter(graph, match, "bias", axisCount, dims).orElseThrow() : null;
        int[] parameterShape = scale != null ? scale.shape()
                : bias != null ? bias.shape() : broadcastable(dims, axisCount);
        String scaleName = parameterName(graph, match, "scale", scale, Tensor.filled(parameterShape, 1), name,
                added);
        String biasName = parameterName(graph, match, "bias", bias, Tensor.zeros(parameterShape), name, added);
        Attributes attributes = new Attributes(Map.of())
                .with("axis", (long) -axisCount)
                .with("epsilon", graph.scalar(match.value("epsilon")).orElseThrow());
        Node fused = new Node(name, "LayerNormalization", "", List.of(match.value("x"), scaleName, biasName),
                List.of(match.anchor().output()), attributes);
        return new Replacement(fused, added);
    }

    /**
     * The number of trailing axes both reductions normalize over, when they keep their dimensions and reduce the
     * same contiguous trailing axes; non-negative axes need the rank of {@code x} from shape inference.
     */
    private static OptionalInt normalizedAxisCount(GraphView graph, Match match) {
        Optional<TreeSet<Long>> meanAxes = trailingAxes(graph, match, match.node("mean"));
        Optional<TreeSet<Long>> varianceAxes = trailingAxes(graph, match, match.node("varianceMean"));
        if (meanAxes.isEmpty() || !meanAxes.equals(varianceAxes)) {
            return OptionalInt.empty();
        }
        TreeSet<Long> axes = meanAxes.get();
        int count = axes.size();
        boolean contiguous = !axes.isEmpty() && axes.first() == -count && axes.last() == -1;
        return contiguous ? OptionalInt.of(count) : OptionalInt.empty();
    }

    /** The reduced axes as negative numbers, or empty when unknown or when the reduction drops dimensions. */
    private static Optional<TreeSet<Long>> trailingAxes(GraphView graph, Match match, Node reduceMean) {
        if (reduceMean.attributes().getInt("keepdims", 1) != 1) {
            return Optional.empty();
        }
        Optional<long[]> axes = reduceMean.input(1).isEmpty() ? reduceMean.attributes().getInts("axes")
                : graph.constant(reduceMean.input(1)).filter(tensor -> !tensor.isFloatingPoint())
                        .map(Tensor::asLongs);
        if (axes.isEmpty() || axes.get().length == 0) {
            return Optional.empty();
        }
        boolean needsRank = Arrays.stream(axes.get()).anyMatch(axis -> axis >= 0);
        Optional<int[]> shape = needsRank ? graph.shape(match.value("x")) : Optional.empty();
        if (needsRank && shape.isEmpty()) {
            return Optional.empty();
        }
        TreeSet<Long> negative = new TreeSet<>();
        for (long axis : axes.get()) {
            negative.add(axis >= 0 ? axis - shape.get().length : axis);
        }
        return Optional.of(negative);
    }

    /** The trailing dimensions of {@code x} over which it is normalized, or {@code null} when not known. */
    private static int[] normalizedDims(GraphView graph, Match match, int axisCount) {
        return graph.shape(match.value("x")).filter(shape -> shape.length >= axisCount)
                .map(shape -> Arrays.copyOfRange(shape, shape.length - axisCount, shape.length)).orElse(null);
    }

    private static boolean fitsIfPresent(GraphView graph, Match match, String role, int axisCount, int[] dims) {
        return !match.values().containsKey(role) || affineParameter(graph, match, role, axisCount, dims).isPresent();
    }

    /**
     * The matched scale or bias as a tensor of rank {@code axisCount} (broadcast to {@code dims} when known), or
     * empty when the constant varies along an axis that is not normalized or does not broadcast to {@code dims}.
     */
    private static Optional<Tensor> affineParameter(GraphView graph, Match match, String role, int axisCount,
            int[] dims) {
        return graph.constant(match.value(role)).filter(Tensor::isFloatingPoint)
                .flatMap(tensor -> fitTrailing(tensor, axisCount, dims));
    }

    private static Optional<Tensor> fitTrailing(Tensor tensor, int axisCount, int[] dims) {
        int[] shape = tensor.shape();
        int start = 0;
        while (shape.length - start > axisCount && shape[start] == 1) {
            start++;
        }
        if (shape.length - start > axisCount) {
            return Optional.empty();
        }
        int[] fitted = new int[axisCount];
        Arrays.fill(fitted, 1);
        System.arraycopy(shape, start, fitted, axisCount - (shape.length - start), shape.length - start);
        Tensor reshaped = tensor.reshape(fitted);
        if (dims == null || Arrays.equals(fitted, dims)) {
            return Optional.of(reshaped);
        }
        for (int axis = 0; axis < axisCount; axis++) {
            if (fitted[axis] != dims[axis] && fitted[axis] != 1) {
                return Optional.empty();
            }
        }
        return Optional.of(broadcast(reshaped, dims));
    }

    private static Tensor broadcast(Tensor tensor, int[] dims) {
        int[] sourceStrides = Shapes.strides(tensor.shape());
        int[] targetStrides = Shapes.strides(dims);
        double[] source = tensor.asDoubles();
        double[] values = new double[Shapes.size(dims)];
        for (int index = 0; index < values.length; index++) {
            int sourceIndex = 0;
            for (int axis = 0; axis < dims.length; axis++) {
                int coordinate = index / targetStrides[axis] % dims[axis];
                sourceIndex += tensor.dim(axis) == 1 ? 0 : coordinate * sourceStrides[axis];
            }
            values[index] = source[sourceIndex];
        }
        return new Tensor(tensor.type(), dims.clone(), values, null);
    }

    private static int[] broadcastable(int[] dims, int axisCount) {
        if (dims != null) {
            return dims;
        }
        int[] ones = new int[axisCount];
        Arrays.fill(ones, 1);
        return ones;
    }

    /** The existing initializer when it is used unchanged, otherwise a new initializer named after the node. */
    private static String parameterName(GraphView graph, Match match, String role, Tensor fitted, Tensor absent,
            String nodeName, Map<String, Tensor> added) {
        Tensor tensor = fitted != null ? fitted : absent;
        if (fitted != null) {
            String original = match.value(role);
            if (tensor.equals(graph.graph().initializers().get(original))) {
                return original;
            }
        }
        String name = graph.newValueName(nodeName + "." + role);
        added.put(name, tensor);
        return name;
    }

    private static boolean isDefault(Node node, String opType) {
        return node.opType().equals(opType) && node.domain().isEmpty();
    }
}
