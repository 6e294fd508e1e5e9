package io.lrpsidecar.compiler;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.NormRule;
import io.lrpsidecar.engine.rule.PassRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.BatchAxes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns (canonical model, composite, initialisation) into one ONNX graph that computes the logits, the input
 * relevance and the per-layer ledger in a single run: the forward pass, the initial relevance from the target
 * (one-hot, times the logit for {@link InitMode#LOGIT}), and then, in reverse topological order, the ONNX nodes of
 * each layer's rule, with fan-out relevance summed. It computes exactly what
 * {@link io.lrpsidecar.engine.reference.ReferenceExplainer} computes, in float32.
 */
public final class ExplainerCompiler {
    /** The lowest operator set the emitted nodes need (ScatterElements with reduction). */
    static final long MIN_OPSET = 17;
    private static final String PREFIX = "fwd/";

    private ExplainerCompiler() {
    }

    public static CompiledModel compile(ExplainableModel model, Composite composite, InitMode init) {
        return compile(model, composite, init, List.of());
    }

    /** @param capture names of forward values to expose as extra outputs {@code activation:NAME} */
    public static CompiledModel compile(ExplainableModel model, Composite composite, InitMode init,
            List<String> capture) {
        Graph graph = prefixed(model.graph());
        String inputValue = PREFIX + model.inputName();
        String logitsValue = PREFIX + model.logits();
        Map<String, NodeView> views = model.views(composite);
        Map<String, Rule> rules = composite.assign(views);
        Map<String, int[]> shapes = staticShapes(graph);
        List<Node> nodes = ancestors(graph, logitsValue);
        GraphBuilder builder = new GraphBuilder(Set.of(CompiledModel.INPUT, CompiledModel.TARGET,
                CompiledModel.LOGITS, CompiledModel.RELEVANCE, CompiledModel.LEDGER, CompiledModel.LEDGER_OUT));
        graph.initializers().forEach((name, tensor) -> {
            Tensor stored = tensor.type() == ElementType.DOUBLE
                    ? new Tensor(ElementType.FLOAT, tensor.shape(), tensor.doubles(), null) : tensor;
            if (!builder.constant(name, stored).equals(name)) {
                throw new IllegalStateException("initializer name clash: " + name);
            }
        });
        CompileContext context = new CompileContext(graph, shapes, BatchAxes.of(graph, Ops::shapeRule),
                views, builder);
        builder.opWithOutputs("Identity", "input", Attributes.NONE, List.of(CompiledModel.INPUT), List.of(inputValue));
        Map<String, String> maxPoolIndices = new HashMap<>();
        ForwardEmitter forward = new ForwardEmitter(context, maxPoolIndices);
        nodes.forEach(forward::emit);
        builder.opWithOutputs("Identity", "logits", Attributes.NONE, List.of(logitsValue),
                List.of(CompiledModel.LOGITS));
        int classes = shapes.get(logitsValue)[1];

        Map<String, String> relevance = new HashMap<>();
        relevance.put(logitsValue, initialRelevance(builder, init, classes));
        LinearRuleEmitter linearRules = new LinearRuleEmitter(context);
        GradientEmitter gradients = new GradientEmitter(context, maxPoolIndices);
        Map<String, String> ledgerIn = new HashMap<>();
        Map<String, String> ledgerOut = new HashMap<>();
        for (int index = nodes.size() - 1; index >= 0; index--) {
            Node node = nodes.get(index);
            String upper = relevance.get(node.output());
            if (upper == null) {
                continue;
            }
            Rule rule = rules.get(node.name());
            String[] lower = lower(context, linearRules, gradients, node, views.get(node.name()).kind(),
                    rule, upper);
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < lower.length; i++) {
                if (lower[i] == null || graph.isConstant(node.input(i))) {
                    continue;
                }
                parts.add(rowSum(context, lower[i], node.input(i)));
                relevance.merge(node.input(i), lower[i], (a, b) -> builder.op("Add", node.name() + "_fanin", a, b));
            }
            ledgerIn.put(node.name(), rowSum(context, upper, node.output()));
            ledgerOut.put(node.name(), parts.stream()
                    .reduce((a, b) -> builder.op("Add", node.name() + "_outsum", a, b))
                    .orElseGet(() -> builder.op("Mul", node.name() + "_none", ledgerIn.get(node.name()),
                            builder.scalar("zero", 0))));
        }
        String inputRelevance = relevance.getOrDefault(inputValue,
                builder.op("Mul", "no_relevance", inputValue, builder.scalar("zero", 0)));
        if (composite.multiplyByInput()) {
            inputRelevance = builder.op("Mul", "times_input", inputRelevance, inputValue);
        }
        builder.opWithOutputs("Identity", "relevance", Attributes.NONE, List.of(inputRelevance),
                List.of(CompiledModel.RELEVANCE));
        List<LedgerColumn> columns = new ArrayList<>();
        for (Node node : nodes) {
            if (ledgerIn.containsKey(node.name())) {
                columns.add(new LedgerColumn(node.name(), node.opType(), rules.get(node.name()).spec()));
            }
        }
        ledger(builder, columns, ledgerIn, CompiledModel.LEDGER);
        ledger(builder, columns, ledgerOut, CompiledModel.LEDGER_OUT);
        List<ValueInfo> outputs = new ArrayList<>(List.of(
                new ValueInfo(CompiledModel.LOGITS, ElementType.FLOAT, List.of(-1, classes)),
                new ValueInfo(CompiledModel.RELEVANCE, ElementType.FLOAT, batchShape(shapes.get(inputValue))),
                new ValueInfo(CompiledModel.LEDGER, ElementType.FLOAT, List.of(-1, columns.size())),
                new ValueInfo(CompiledModel.LEDGER_OUT, ElementType.FLOAT, List.of(-1, columns.size()))));
        for (String name : capture) {
            String value = PREFIX + name;
            if (!shapes.containsKey(value)) {
                throw new ModelLoadException("cannot capture '" + name + "': the model has no such value");
            }
            String output = CompiledModel.ACTIVATION_PREFIX + name;
            builder.opWithOutputs("Identity", "capture", Attributes.NONE, List.of(value), List.of(output));
            outputs.add(new ValueInfo(output, ElementType.FLOAT, batchShape(shapes.get(value))));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("lrp.composite", composite.spec());
        metadata.put("lrp.init", init.name().toLowerCase(java.util.Locale.ROOT));
        metadata.put("lrp.layers", columns.stream().map(column -> column.name() + "\t" + column.opType() + "\t"
                + column.rule()).collect(Collectors.joining("\n")));
        List<ValueInfo> inputs = List.of(
                new ValueInfo(CompiledModel.INPUT, ElementType.FLOAT, batchShape(shapes.get(inputValue))),
                new ValueInfo(CompiledModel.TARGET, ElementType.INT64, List.of(-1)));
        long opset = Math.max(MIN_OPSET, model.graph().opsetVersion());
        Graph explainer = builder.build("lrp_explainer", opset, inputs, outputs, metadata).pruned();
        return new CompiledModel(explainer, columns, composite.spec(), init, classes);
    }

    private static String[] lower(CompileContext context, LinearRuleEmitter linearRules, GradientEmitter gradients,
            Node node, OpKind kind, Rule rule, String upper) {
        GraphBuilder builder = context.builder();
        if (kind.isLinear() && !(rule instanceof GradientRule)) {
            String[] result = new String[node.inputs().size()];
            result[0] = linearRules.emit(rule, node, upper);
            return result;
        }
        if (rule instanceof PassRule) {
            String[] result = new String[node.inputs().size()];
            result[0] = upper;
            return result;
        }
        if (rule instanceof NormRule norm) {
            String s = Stabilizer.divide(builder, upper, node.output(), norm.stabilizer(), node.name() + "_norm");
            String[] gradient = gradients.vjp(node, s);
            for (int i = 0; i < gradient.length; i++) {
                if (gradient[i] != null) {
                    gradient[i] = builder.op("Mul", node.name() + "_normR", node.input(i), gradient[i]);
                }
            }
            return gradient;
        }
        return gradients.vjp(node, upper);
    }

    /** One-hot at the target (the predicted class where the target is negative), times the logit if asked. */
    private static String initialRelevance(GraphBuilder builder, InitMode init, int classes) {
        String predicted = builder.op("ArgMax", "predicted", new Attributes(Map.of("axis", 1L, "keepdims", 0L)),
                CompiledModel.LOGITS);
        String wantsPredicted = builder.op("Less", "wants_predicted", CompiledModel.TARGET,
                builder.constant("no_target", Tensor.ofLongs(new int[0], new long[] {0})));
        String target = builder.op("Where", "chosen_target", wantsPredicted, predicted, CompiledModel.TARGET);
        String oneHot = builder.op("OneHot", "one_hot", new Attributes(Map.of("axis", -1L)), target,
                builder.constant("classes", Tensor.ofLongs(new int[0], new long[] {classes})),
                builder.constant("off_on", Tensor.of(new int[] {2}, new double[] {0, 1})));
        return init == InitMode.LOGIT ? builder.op("Mul", "initial_relevance", oneHot, CompiledModel.LOGITS)
                : oneHot;
    }

    /** The sum of each row of a value, {@code [batch]}. */
    private static String rowSum(CompileContext context, String value, String shapeOf) {
        int rank = context.shape(shapeOf).length;
        int batchAxis = context.batchAxes().getOrDefault(shapeOf, 0);
        long[] axes = java.util.stream.IntStream.range(0, rank).filter(axis -> axis != batchAxis)
                .asLongStream().toArray();
        GraphBuilder builder = context.builder();
        return builder.op("ReduceSum", "row_sum", new Attributes(Map.of("keepdims", 0L)), value,
                builder.longs("row_axes", axes));
    }

    private static void ledger(GraphBuilder builder, List<LedgerColumn> columns, Map<String, String> sums,
            String output) {
        String axis = builder.longs("column_axis", 1);
        List<String> parts = columns.stream()
                .map(column -> builder.op("Unsqueeze", "column", sums.get(column.name()), axis)).toList();
        builder.opWithOutputs("Concat", output, new Attributes(Map.of("axis", 1L)), parts, List.of(output));
    }

    private static List<Integer> batchShape(int[] shape) {
        List<Integer> dims = new ArrayList<>();
        dims.add(-1);
        for (int axis = 1; axis < shape.length; axis++) {
            dims.add(shape[axis]);
        }
        return dims;
    }

    private static Map<String, int[]> staticShapes(Graph graph) {
        try {
            return ShapeInference.infer(graph, 1, Ops::shapeRule);
        } catch (ModelLoadException e) {
            throw new ModelLoadException("the explainer compiler needs every input axis but the batch fixed: "
                    + e.getMessage(), e);
        }
    }

    /** The nodes that the explained output depends on, in topological order. */
    private static List<Node> ancestors(Graph graph, String output) {
        Set<String> needed = new HashSet<>(Set.of(output));
        Deque<Node> reversed = new ArrayDeque<>();
        List<Node> nodes = graph.nodes();
        for (int index = nodes.size() - 1; index >= 0; index--) {
            Node node = nodes.get(index);
            if (node.outputs().stream().anyMatch(needed::contains)) {
                reversed.addFirst(node);
                needed.addAll(node.inputs());
            }
        }
        return new ArrayList<>(reversed);
    }

    /** The graph with every value and initializer renamed {@code fwd/NAME}, so no name clashes with ours. */
    private static Graph prefixed(Graph graph) {
        List<Node> nodes = graph.nodes().stream().map(node -> new Node(node.name(), node.opType(), node.domain(),
                node.inputs().stream().map(name -> name.isEmpty() ? name : PREFIX + name).toList(),
                node.outputs().stream().map(name -> name.isEmpty() ? name : PREFIX + name).toList(),
                node.attributes())).toList();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        graph.initializers().forEach((name, tensor) -> initializers.put(PREFIX + name, tensor));
        List<ValueInfo> inputs = graph.inputs().stream().map(info -> new ValueInfo(PREFIX + info.name(),
                info.type(), info.shape())).toList();
        List<ValueInfo> outputs = graph.outputs().stream().map(info -> new ValueInfo(PREFIX + info.name(),
                info.type(), info.shape())).toList();
        return new Graph(graph.name(), graph.opsetVersion(), nodes, initializers, inputs, outputs, graph.metadata());
    }
}
