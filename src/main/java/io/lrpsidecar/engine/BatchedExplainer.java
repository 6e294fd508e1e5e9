package io.lrpsidecar.engine;

import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explains a large input in batches of at most {@code batchSize} rows and joins the results, so that memory stays
 * bounded by one batch whatever the input size. Rows are independent, so the result equals one big batch.
 */
public final class BatchedExplainer implements Explainer {
    private final Explainer explainer;
    private final int batchSize;

    public BatchedExplainer(Explainer explainer, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, found " + batchSize);
        }
        this.explainer = explainer;
        this.batchSize = batchSize;
    }

    @Override
    public Explanation explain(Tensor input, Target target, InitMode init) {
        int rows = input.rank() == 0 ? 0 : input.dim(0);
        if (rows <= batchSize) {
            return explainer.explain(input, target, init);
        }
        List<Explanation> parts = new ArrayList<>();
        for (int from = 0; from < rows; from += batchSize) {
            int to = Math.min(rows, from + batchSize);
            parts.add(explainer.explain(rows(input, from, to), target.slice(from, to), init));
        }
        return join(parts);
    }

    /** Rows {@code [from, to)} of a tensor. */
    static Tensor rows(Tensor tensor, int from, int to) {
        int width = tensor.size() / tensor.dim(0);
        int[] shape = tensor.shape().clone();
        shape[0] = to - from;
        if (!tensor.isFloatingPoint()) {
            return new Tensor(tensor.type(), shape, null, Arrays.copyOfRange(tensor.longs(), from * width, to * width));
        }
        return Tensor.of(shape, Arrays.copyOfRange(tensor.asDoubles(), from * width, to * width));
    }

    private static Explanation join(List<Explanation> parts) {
        Explanation first = parts.get(0);
        List<LedgerEntry> ledger = new ArrayList<>();
        for (int layer = 0; layer < first.ledger().size(); layer++) {
            LedgerEntry entry = first.ledger().get(layer);
            int index = layer;
            ledger.add(new LedgerEntry(entry.name(), entry.opType(), entry.rule(),
                    concat(parts.stream().map(part -> part.ledger().get(index).relevanceIn()).toList()),
                    concat(parts.stream().map(part -> part.ledger().get(index).relevanceOut()).toList())));
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (String value : first.valueRelevanceSums().keySet()) {
            sums.put(value, concat(parts.stream()
                    .map(part -> part.valueRelevanceSums().getOrDefault(value, new double[part.rows()])).toList()));
        }
        return new Explanation(
                stack(parts.stream().map(Explanation::logits).toList()),
                parts.stream().flatMapToInt(part -> Arrays.stream(part.targets())).toArray(),
                parts.stream().flatMapToInt(part -> Arrays.stream(part.contrasts())).toArray(),
                concat(parts.stream().map(Explanation::initialRelevance).toList()),
                stack(parts.stream().map(Explanation::relevance).toList()),
                ledger, sums);
    }

    private static double[] concat(List<double[]> arrays) {
        return arrays.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    private static Tensor stack(List<Tensor> tensors) {
        int[] shape = tensors.get(0).shape().clone();
        shape[0] = tensors.stream().mapToInt(tensor -> tensor.dim(0)).sum();
        return Tensor.of(shape, concat(tensors.stream().map(Tensor::asDoubles).toList()));
    }
}
