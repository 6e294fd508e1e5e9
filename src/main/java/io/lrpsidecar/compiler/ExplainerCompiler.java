package io.lrpsidecar.compiler;

import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.op.Op;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns (canonical model, composite, initialisation) into one ONNX graph that computes the logits, the input
 * relevance and the per-layer ledger in a single run. Everything is emitted through {@link OnnxPrimitives}: the
 * forward pass is each operator's own {@link Op#forward}, the initial relevance is the one-hot of the target minus
 * the one-hot of the contrast class, if any (times the logit for {@link InitMode#LOGIT}), and the backward pass runs, in reverse topological order, each node's
 * {@link Rule#propagate} on an {@link OnnxLayer}, summing fan-out relevance into the carrying inputs, exactly as the
 * reference engine does in double precision. Relevance is read at the model's relevance root; for token ids it is
 * summed over the hidden axis, so it has the shape of the ids.
 *
 * <p>A model that merges the batch with another axis ({@link ExplainableModel#mergesBatch}, as
 * {@code nn.MultiheadAttention} does with the heads) is compiled for one row, with every shape static, and wrapped
 * by {@link RowScan} in an ONNX {@code Scan} over the rows: the explainer keeps its batch-dynamic interface, and each
 * row's ledger is that row's own sum, as in the reference engine.
 */
public final class ExplainerCompiler {
    /**
     * The lowest operator set the explainer is emitted in: the emitted forms (ReduceSum axes as an input, Slice steps,
     * MaxUnpool's output shape) exist from 13 on; 17 is the set every census and compiled test is written against.
     */
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
        Graph graph = model.graph();
        Map<String, int[]> shapes = staticShapes(model);
        for (String name : capture) {
            if (!shapes.containsKey(name)) {
                throw new ModelLoadException("cannot capture '" + name + "': the model has no such value");
            }
        }
        long opset = Math.max(MIN_OPSET, graph.opsetVersion());
        GraphBuilder builder = GraphBuilder.deduplicating(Set.of(CompiledModel.TARGET, CompiledModel.CONTRAST,
                CompiledModel.LOGITS,
                CompiledModel.RELEVANCE, CompiledModel.LEDGER, CompiledModel.LEDGER_OUT));
        OnnxPrimitives p = new OnnxPrimitives(builder, opset);
        int[] inputShape = shapes.get(model.inputName());
        boolean oneRow = model.mergesBatch();
        Map<String, Value> values = inputsAndWeights(model, builder, p, inputShape, oneRow);
        Set<String> wanted = new HashSet<>(capture);
        wanted.add(model.logits());
        List<Node> nodes = ancestors(graph, wanted);
        Map<String, NodeView> views = model.views(composite);
        Map<String, List<Value>> nodeOutputs = forward(p, nodes, views, values);
        Value logits = values.get(model.logits());
        builder.opWithOutputs("Identity", "logits", Attributes.NONE, List.of(p.use(logits)),
                List.of(CompiledModel.LOGITS));
        int classes = logits.shape()[1];

        p.scope("lrp");
        Backward backward = new Backward(model, composite.assign(views), views, p, values, nodeOutputs,
                oneRow);
        backward.run(nodes, model.logits(), initialRelevance(builder, p, init, logits));
        Value relevance = rootRelevance(model, composite, p, backward.relevance(), values);
        builder.opWithOutputs("Identity", "relevance", Attributes.NONE, List.of(p.use(relevance)),
                List.of(CompiledModel.RELEVANCE));
        List<LedgerColumn> columns = backward.columns();
        ledger(builder, p, columns, backward.ledgerIn(), CompiledModel.LEDGER);
        ledger(builder, p, columns, backward.ledgerOut(), CompiledModel.LEDGER_OUT);
        List<ValueInfo> outputs = new ArrayList<>(List.of(
                new ValueInfo(CompiledModel.LOGITS, ElementType.FLOAT, List.of(-1, classes)),
                new ValueInfo(CompiledModel.RELEVANCE, ElementType.FLOAT, batchShape(inputShape)),
                new ValueInfo(CompiledModel.LEDGER, ElementType.FLOAT, List.of(-1, columns.size())),
                new ValueInfo(CompiledModel.LEDGER_OUT, ElementType.FLOAT, List.of(-1, columns.size()))));
        for (String name : capture) {
            String output = CompiledModel.ACTIVATION_PREFIX + name;
            Value value = values.get(name);
            builder.opWithOutputs("Identity", "capture", Attributes.NONE, List.of(p.use(value)), List.of(output));
            outputs.add(new ValueInfo(output, value.type(), batchShape(shapes.get(name))));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("lrp.composite", composite.spec());
        metadata.put("lrp.init", init.name().toLowerCase(Locale.ROOT));
        metadata.put("lrp.layers", columns.stream().map(column -> column.name() + "\t" + column.opType() + "\t"
                + column.rule()).collect(Collectors.joining("\n")));
        List<ValueInfo> inputs = List.of(
                new ValueInfo(CompiledModel.INPUT, model.input().type(), batchShape(inputShape)),
                new ValueInfo(CompiledModel.TARGET, ElementType.INT64, List.of(-1)),
                new ValueInfo(CompiledModel.CONTRAST, ElementType.INT64, List.of(-1)));
        Graph explainer = builder.build("lrp_explainer", opset, inputs, outputs, metadata).pruned();
        if (oneRow) {
            explainer = RowScan.overRows(explainer);
        }
        return new CompiledModel(explainer, columns, composite.spec(), init, classes);
    }

    /**
     * One ONNX graph with only the explainer's forward pass: input {@value CompiledModel#INPUT}, output
     * {@value CompiledModel#LOGITS}, batch-dynamic (row by row through {@link RowScan} for a model that merges its
     * batch). It runs the same operators as the explainer's forward pass, so its logits are the explainer's; the
     * faithfulness curves re-run the model with it.
     */
    public static Graph forwardOnly(ExplainableModel model) {
        Map<String, int[]> shapes = staticShapes(model);
        long opset = Math.max(MIN_OPSET, model.graph().opsetVersion());
        GraphBuilder builder = GraphBuilder.deduplicating(Set.of(CompiledModel.LOGITS));
        OnnxPrimitives p = new OnnxPrimitives(builder, opset);
        int[] inputShape = shapes.get(model.inputName());
        boolean oneRow = model.mergesBatch();
        Map<String, Value> values = inputsAndWeights(model, builder, p, inputShape, oneRow);
        forward(p, ancestors(model.graph(), Set.of(model.logits())), model.views(), values);
        Value logits = values.get(model.logits());
        builder.opWithOutputs("Identity", "logits", Attributes.NONE, List.of(p.use(logits)),
                List.of(CompiledModel.LOGITS));
        Graph forward = builder.build("lrp_forward", opset,
                List.of(new ValueInfo(CompiledModel.INPUT, model.input().type(), batchShape(inputShape))),
                List.of(new ValueInfo(CompiledModel.LOGITS, ElementType.FLOAT, List.of(-1, logits.shape()[1]))),
                Map.of()).pruned();
        return oneRow ? RowScan.overRows(forward) : forward;
    }

    /** The graph input (token ids or floats) and the model's weights, by their names in the model. */
    private static Map<String, Value> inputsAndWeights(ExplainableModel model, GraphBuilder builder,
            OnnxPrimitives p, int[] inputShape, boolean oneRow) {
        int inputBatchAxis = oneRow ? -1 : 0;
        Map<String, Value> values = new HashMap<>();
        values.put(model.inputName(), model.tokenInput()
                ? tokenIds(builder, p, inputShape, inputBatchAxis)
                : p.input(CompiledModel.INPUT, inputShape, inputBatchAxis));
        model.graph().initializers().forEach((name, tensor) -> {
            String written = builder.fresh(PREFIX + name);
            Value initializer = p.initializer(written, tensor);
            builder.define(written, initializer.constant());
            values.put(name, initializer);
        });
        return values;
    }

    /**
     * Emits each node's {@link Op#forward} in topological order, adding its outputs to {@code values} by name.
     *
     * @return the outputs of each node, by node name
     */
    private static Map<String, List<Value>> forward(OnnxPrimitives p, List<Node> nodes, Map<String, NodeView> views,
            Map<String, Value> values) {
        Map<String, List<Value>> nodeOutputs = new HashMap<>();
        for (Node node : nodes) {
            p.scope(PREFIX + node.name());
            List<Value> outputs = Ops.of(node).forward(p, views.get(node.name()), inputsOf(node, values));
            nodeOutputs.put(node.name(), outputs);
            for (int i = 0; i < outputs.size(); i++) {
                values.put(node.outputs().get(i), outputs.get(i));
            }
        }
        return nodeOutputs;
    }

    /** The int64 graph input holding token ids, {@code [batch, ...]}. */
    private static Value tokenIds(GraphBuilder builder, OnnxPrimitives p, int[] shape, int batchAxis) {
        if (!builder.fresh(CompiledModel.INPUT).equals(CompiledModel.INPUT)) {
            throw new IllegalStateException("graph input '" + CompiledModel.INPUT + "' is already taken");
        }
        return p.runtime(CompiledModel.INPUT, ElementType.INT64, shape, batchAxis);
    }

    /**
     * One-hot at the target (the predicted class where the target is negative) minus one-hot at the contrast class
     * (the runner-up where the contrast is {@link Contrast#RUNNER_UP}, none where it is any
     * other negative), times the logits if asked: {@code onehot(t) s_t - onehot(K) s_K}, one backward pass for
     * {@code rel(t) - rel(K)} since every rule is linear in the relevance it receives
     * ({@link io.lrpsidecar.engine.Target.Contrastive}).
     */
    private static Value initialRelevance(GraphBuilder builder, OnnxPrimitives p, InitMode init, Value logits) {
        int classes = logits.shape()[1];
        String zero = builder.constant("no_target", Tensor.ofLongs(new int[0], new long[] {0}));
        String depth = builder.constant("classes", Tensor.ofLongs(new int[0], new long[] {classes}));
        String offOn = builder.constant("off_on", Tensor.of(new int[] {2}, new double[] {0, 1}));
        Attributes lastAxis = new Attributes(Map.of("axis", -1L));
        Attributes argMax = new Attributes(Map.of("axis", 1L, "keepdims", 0L));
        String predicted = builder.op("ArgMax", "predicted", argMax, CompiledModel.LOGITS);
        String wantsPredicted = builder.op("Less", "wants_predicted", CompiledModel.TARGET, zero);
        String target = builder.op("Where", "chosen_target", wantsPredicted, predicted, CompiledModel.TARGET);
        String oneHot = builder.op("OneHot", "one_hot", lastAxis, target, depth, offOn);

        String isTarget = builder.op("Cast", "is_target", new Attributes(Map.of("to",
                (long) ElementType.BOOL.onnxCode())), oneHot);
        String otherLogits = builder.op("Where", "other_logits", isTarget,
                builder.constant("minus_infinity", Tensor.of(new int[0], new double[] {Double.NEGATIVE_INFINITY})),
                CompiledModel.LOGITS);
        String runnerUp = builder.op("ArgMax", "runner_up", argMax, otherLogits);
        String wantsRunnerUp = builder.op("Equal", "wants_runner_up", CompiledModel.CONTRAST, builder.constant(
                "runner_up_code", Tensor.ofLongs(new int[0], new long[] {Contrast.RUNNER_UP})));
        String contrast = builder.op("Where", "chosen_contrast", wantsRunnerUp, runnerUp, CompiledModel.CONTRAST);
        String noContrast = builder.op("Less", "no_contrast", contrast, zero);
        String contrastHot = builder.op("OneHot", "contrast_hot", lastAxis,
                builder.op("Max", "contrast_index", contrast, zero), depth, offOn);
        String kept = builder.op("Where", "contrast_kept",
                builder.op("Unsqueeze", "no_contrast_column", noContrast, builder.longs("class_axis", 1)),
                builder.constant("no_relevance", Tensor.of(new int[0], new double[] {0})), contrastHot);
        String signed = builder.op("Sub", "target_minus_contrast", oneHot, kept);
        Value start = p.runtime(signed, ElementType.FLOAT, logits.shape(), logits.batchAxis());
        return init == InitMode.LOGIT ? p.mul(start, logits) : start;
    }

    /**
     * The relevance at the model's root (zero where none arrives), times the root's value for composites that
     * multiply by the input, and summed over the hidden axis for token ids.
     */
    private static Value rootRelevance(ExplainableModel model, Composite composite, OnnxPrimitives p,
            Map<String, Value> relevance, Map<String, Value> values) {
        Value root = values.get(model.relevanceRoot());
        Value result = relevance.get(model.relevanceRoot());
        if (result == null) {
            result = p.mul(root, p.scalar(0));
        }
        if (composite.multiplyByInput()) {
            result = p.mul(result, root);
        }
        return model.tokenInput() ? p.reduceSum(result, new int[] {result.rank() - 1}, false) : result;
    }

    private static void ledger(GraphBuilder builder, OnnxPrimitives p, List<LedgerColumn> columns,
            Map<String, Value> sums, String output) {
        String axis = builder.longs("column_axis", 1);
        List<String> parts = columns.stream()
                .map(column -> builder.op("Unsqueeze", "column", p.use(sums.get(column.name())), axis)).toList();
        builder.opWithOutputs("Concat", output, new Attributes(Map.of("axis", 1L)), parts, List.of(output));
    }

    static List<Value> inputsOf(Node node, Map<String, Value> values) {
        List<Value> inputs = new ArrayList<>();
        for (String name : node.inputs()) {
            inputs.add(name.isEmpty() ? null : values.get(name));
        }
        return inputs;
    }

    private static List<Integer> batchShape(int[] shape) {
        List<Integer> dims = new ArrayList<>();
        dims.add(-1);
        for (int axis = 1; axis < shape.length; axis++) {
            dims.add(shape[axis]);
        }
        return dims;
    }

    private static Map<String, int[]> staticShapes(ExplainableModel model) {
        try {
            return model.shapes(1);
        } catch (ModelLoadException e) {
            throw new ModelLoadException("the explainer compiler needs every input axis but the batch fixed: "
                    + e.getMessage(), e);
        }
    }

    /** The nodes that the wanted values depend on, in topological order. */
    private static List<Node> ancestors(Graph graph, Set<String> wanted) {
        Set<String> needed = new HashSet<>(wanted);
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
}
