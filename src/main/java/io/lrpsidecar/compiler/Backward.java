package io.lrpsidecar.compiler;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.op.Op;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The backward pass of the compiled explainer, as the reference engine runs it: in reverse topological order, a node
 * whose outputs received relevance (the others count as zero) gets {@code rule.propagate} on its {@link OnnxLayer};
 * what it gives each carrying input is added to what that value already holds (fan-out), and the ledger records, per
 * row, the relevance entering the node (its outputs) and leaving it (its carrying inputs).
 */
final class Backward {
    private final Map<String, Rule> rules;
    private final Map<String, NodeView> views;
    private final Map<String, Integer> batchAxes;
    private final boolean oneRow;
    private final OnnxPrimitives p;
    private final Map<String, Value> values;
    private final Map<String, List<Value>> nodeOutputs;
    private final Map<String, Value> relevance = new HashMap<>();
    private final Map<String, Value> ledgerIn = new HashMap<>();
    private final Map<String, Value> ledgerOut = new HashMap<>();
    private final List<LedgerColumn> columns = new ArrayList<>();

    /**
     * @param model       the model (for the batch axis of every value)
     * @param rules       the rule of every node, by node name
     * @param views       the static facts of every node, by node name
     * @param p           the primitives emitting the explainer graph
     * @param values      the forward value of every model value, by name
     * @param nodeOutputs the forward outputs of every emitted node, by node name
     * @param oneRow      whether the graph explains a single row (then every value, merged batch axes included, is
     *                    that row's own, and a row sum sums all of it)
     */
    Backward(ExplainableModel model, Map<String, Rule> rules, Map<String, NodeView> views, OnnxPrimitives p,
            Map<String, Value> values, Map<String, List<Value>> nodeOutputs, boolean oneRow) {
        this.rules = rules;
        this.views = views;
        this.batchAxes = model.batchAxes();
        this.oneRow = oneRow;
        this.p = p;
        this.values = values;
        this.nodeOutputs = nodeOutputs;
    }

    /** Runs the pass over {@code nodes} (topological order) from the relevance {@code initial} at {@code start}. */
    void run(List<Node> nodes, String start, Value initial) {
        relevance.put(start, initial);
        List<LedgerColumn> reversed = new ArrayList<>();
        for (int index = nodes.size() - 1; index >= 0; index--) {
            Node node = nodes.get(index);
            List<Value> outputs = nodeOutputs.get(node.name());
            if (IntStream.range(0, outputs.size()).noneMatch(i -> relevance.containsKey(node.outputs().get(i)))) {
                continue;
            }
            p.scope(node.name());
            Rule rule = rules.get(node.name());
            NodeView view = views.get(node.name());
            Value in = null;
            List<Value> upper = new ArrayList<>();
            for (int i = 0; i < outputs.size(); i++) {
                Value received = relevance.get(node.outputs().get(i));
                upper.add(received != null ? received : p.zerosLike(outputs.get(i)));
                if (received != null) {
                    in = sum(in, rowSum(received, node.outputs().get(i)));
                }
            }
            Op op = Ops.of(node);
            List<Value> lower = rule.propagate(p, new OnnxLayer(view, op, p,
                    ExplainerCompiler.inputsOf(node, values), outputs), upper);
            Value out = null;
            for (int i = 0; i < node.inputs().size(); i++) {
                Value part = i < lower.size() ? lower.get(i) : null;
                if (part == null || !view.carries(i)) {
                    continue;
                }
                relevance.merge(node.input(i), part, p::add);
                out = sum(out, rowSum(part, node.input(i)));
            }
            ledgerIn.put(node.name(), in);
            ledgerOut.put(node.name(), out != null ? out : p.mul(in, p.scalar(0)));
            reversed.add(new LedgerColumn(node.name(), node.opType(), rule.spec()));
        }
        for (int index = reversed.size() - 1; index >= 0; index--) {
            columns.add(reversed.get(index));
        }
    }

    /** The relevance of every value that received some, by name. */
    Map<String, Value> relevance() {
        return relevance;
    }

    /** The ledger columns (the nodes that ran), in topological order. */
    List<LedgerColumn> columns() {
        return columns;
    }

    /** Per node, the row sums of the relevance at its outputs, {@code [batch]}. */
    Map<String, Value> ledgerIn() {
        return ledgerIn;
    }

    /** Per node, the row sums of the relevance it passed to its carrying inputs, {@code [batch]}. */
    Map<String, Value> ledgerOut() {
        return ledgerOut;
    }

    private Value sum(Value total, Value next) {
        return total == null ? next : p.add(total, next);
    }

    /**
     * The sum of each row of the relevance of a value: over every axis but the value's batch axis, or over all of it
     * (as {@code [1]}) when the graph explains one row.
     */
    private Value rowSum(Value tensor, String value) {
        if (tensor.rank() == 0) {
            return tensor;
        }
        if (oneRow) {
            return p.reshape(p.reduceSum(tensor, IntStream.range(0, tensor.rank()).toArray(), true),
                    new long[] {1});
        }
        int batchAxis = batchAxes.getOrDefault(value, 0);
        return p.reduceSum(tensor, IntStream.range(0, tensor.rank()).filter(axis -> axis != batchAxis).toArray(),
                false);
    }
}
