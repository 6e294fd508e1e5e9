package io.lrpsidecar.engine.reference;

import io.lrpsidecar.engine.BatchedExplainer;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explainer;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.LedgerEntry;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The executable specification of LRP on an ONNX graph, in double precision, op by op:
 * <ol>
 *   <li>forward: every node's kernel, keeping every value;</li>
 *   <li>initialisation: at the explained output, one-hot at the target times the target logit (or times 1), minus
 *       one-hot at the contrast class times its logit (or 1) for a {@link Target.Contrastive} target;</li>
 *   <li>backward, in reverse topological order: each node's rule turns the relevance at its output into
 *       relevance at its activation inputs; a value read by several nodes sums what they pass back;</li>
 *   <li>the ledger records, per layer and row, the relevance entering and leaving.</li>
 * </ol>
 * It is slow by design and serves as the oracle of the compiled engine.
 */
public final class ReferenceExplainer implements Explainer {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;
    private final ExplainableModel model;
    private final Composite composite;
    private final Map<String, Rule> rules;
    private final Map<String, NodeView> views;
    private final Map<String, Integer> batchAxes;
    private final boolean mergesBatch;

    public ReferenceExplainer(ExplainableModel model, Composite composite) {
        this.model = model;
        this.composite = composite;
        this.views = model.views(composite);
        this.rules = composite.assign(views);
        this.batchAxes = model.batchAxes();
        this.mergesBatch = model.mergesBatch();
    }

    /** The rule each node gets, by node name, in topological order. */
    public Map<String, Rule> rules() {
        return rules;
    }

    /** Runs the forward pass only and returns every value by name. */
    public Map<String, Tensor> forward(Tensor input) {
        Graph graph = model.graph();
        model.checkInput(input);
        Map<String, Tensor> values = new HashMap<>(graph.initializers());
        values.put(model.inputName(), input);
        for (Node node : graph.nodes()) {
            List<Tensor> outputs = Ops.of(node).forward(P, views.get(node.name()), inputsOf(node, values));
            for (int i = 0; i < outputs.size(); i++) {
                values.put(node.outputs().get(i), outputs.get(i));
            }
        }
        return values;
    }

    @Override
    public Explanation explain(Tensor input, Target target, InitMode init) {
        if (mergesBatch && input.rank() > 0 && input.dim(0) > 1) {
            return new BatchedExplainer(this::explainRows, 1).explain(input, target, init);
        }
        return explainRows(input, target, init);
    }

    private Explanation explainRows(Tensor input, Target target, InitMode init) {
        Graph graph = model.graph();
        Map<String, Tensor> values = forward(input);
        Tensor logits = values.get(model.logits());
        int rows = logits.dim(0);
        int classes = logits.dim(1);
        double[][] logitRows = new double[rows][];
        for (int row = 0; row < rows; row++) {
            logitRows[row] = Arrays.copyOfRange(logits.doubles(), row * classes, (row + 1) * classes);
        }
        int[] targets = target.resolve(logitRows);
        int[] contrasts = target.contrasts(logitRows, targets);
        double[] initial = Explanation.initialRelevance(logitRows, targets, contrasts, init);
        double[] start = new double[rows * classes];
        for (int row = 0; row < rows; row++) {
            start[row * classes + targets[row]] += init == InitMode.LOGIT ? logitRows[row][targets[row]] : 1.0;
            if (contrasts[row] >= 0) {
                start[row * classes + contrasts[row]] -= init == InitMode.LOGIT ? logitRows[row][contrasts[row]]
                        : 1.0;
            }
        }
        Map<String, Tensor> relevance = new HashMap<>();
        relevance.put(model.logits(), Tensor.of(logits.shape(), start));
        List<LedgerEntry> ledger = new ArrayList<>();
        List<Node> nodes = graph.nodes();
        for (int index = nodes.size() - 1; index >= 0; index--) {
            Node node = nodes.get(index);
            Tensor upper = relevance.get(node.output());
            if (upper == null) {
                continue;
            }
            NodeView view = views.get(node.name());
            ReferenceLayer layer = new ReferenceLayer(view, Ops.of(node), inputsOf(node, values),
                    node.outputs().stream().map(values::get).toList());
            Rule rule = rules.get(node.name());
            List<Tensor> lower = rule.propagate(P, layer, List.of(upper));
            double[] out = new double[rows];
            for (int i = 0; i < node.inputs().size(); i++) {
                Tensor part = i < lower.size() ? lower.get(i) : null;
                if (part == null || !view.carries(i)) {
                    continue;
                }
                relevance.merge(node.input(i), part, P::add);
                double[] sums = rowSums(part, node.input(i), rows);
                for (int row = 0; row < rows; row++) {
                    out[row] += sums[row];
                }
            }
            ledger.add(0, new LedgerEntry(node.name(), node.opType(), rule.spec(), rowSums(upper, node.output(), rows),
                    out));
        }
        String root = model.relevanceRoot();
        Tensor rootValue = values.get(root);
        Tensor inputRelevance = relevance.getOrDefault(root, Tensor.zeros(rootValue.shape()));
        if (composite.multiplyByInput()) {
            inputRelevance = P.mul(inputRelevance, rootValue);
        }
        if (model.tokenInput()) {
            inputRelevance = P.reduceSum(inputRelevance, new int[] {inputRelevance.rank() - 1}, false);
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        relevance.forEach((name, tensor) -> sums.put(name, rowSums(tensor, name, rows)));
        return new Explanation(logits, targets, contrasts, initial, inputRelevance, ledger, sums);
    }

    /**
     * Sums over everything but the value's batch axis, one per batch element. Where a reshape merged the batch with
     * another axis ({@code [B * k]}), the batch is a single row (see {@link ExplainableModel#mergesBatch}) and sums all entries.
     */
    private double[] rowSums(Tensor tensor, String value, int rows) {
        if (tensor.rank() == 0) {
            return tensor.asDoubles().clone();
        }
        int batchAxis = batchAxes.getOrDefault(value, 0);
        double[] sums = P.reduceSum(tensor, IntStream.range(0, tensor.rank()).filter(axis -> axis != batchAxis)
                .toArray(), false).asDoubles();
        if (sums.length == rows || sums.length % rows != 0) {
            return sums;
        }
        int merged = sums.length / rows;
        double[] perRow = new double[rows];
        for (int i = 0; i < sums.length; i++) {
            perRow[i / merged] += sums[i];
        }
        return perRow;
    }

    private static List<Tensor> inputsOf(Node node, Map<String, Tensor> values) {
        List<Tensor> inputs = new ArrayList<>();
        for (String name : node.inputs()) {
            inputs.add(name.isEmpty() ? null : values.get(name));
        }
        return inputs;
    }
}
