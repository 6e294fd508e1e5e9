package io.lrpsidecar.faithfulness;

import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates relevance sources by region perturbation: for each source and row, the regions are ranked by their
 * relevance sums (MoRF, LeRF), the random control draws a seeded permutation (and its reverse), and every curve is
 * drawn by one {@link PerturbationRunner}, so a step's rows of every source run in the same model batch.
 */
public final class FaithfulnessEvaluator {
    /** The random control's name among the sources. */
    public static final String RANDOM = "random";
    /** The label of the random control's reversed order. */
    public static final String RANDOM_REVERSED = "random-reversed";
    private final PerturbationRunner runner;

    public FaithfulnessEvaluator(ForwardModel forward, CurveSettings settings) {
        this.runner = new PerturbationRunner(forward, settings);
    }

    /**
     * @param inputs    the rows {@code [rows, ...]}
     * @param targets   the class followed in each row
     * @param relevance each source's relevance, the shape of {@code inputs}, in the order to report
     * @param orders    the orders to draw; {@link Order#RANDOM} adds the control as a source
     */
    public List<SourceResult> evaluate(Tensor inputs, int[] targets, Map<String, Tensor> relevance,
            Set<Order> orders) {
        if (targets.length != inputs.dim(0)) {
            throw new IllegalArgumentException("expected one target per input row (" + inputs.dim(0) + "), found "
                    + targets.length);
        }
        Regions regions = runner.regions(inputs);
        int rows = inputs.dim(0);
        int rowSize = inputs.size() / rows;
        List<CurveRequest> requests = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Map.Entry<String, Tensor> source : relevance.entrySet()) {
            double[] values = checked(source.getKey(), source.getValue(), inputs);
            for (int row = 0; row < rows; row++) {
                double[] scores = regions.scores(values, row * rowSize);
                for (Order order : List.of(Order.MORF, Order.LERF)) {
                    if (orders.contains(order)) {
                        requests.add(new CurveRequest(row, label(order), order.rank(scores)));
                        sources.add(source.getKey());
                    }
                }
            }
        }
        if (orders.contains(Order.RANDOM)) {
            for (int row = 0; row < rows; row++) {
                int[] order = Order.random(regions.count(), runner.settings().seed(), row);
                requests.add(new CurveRequest(row, RANDOM, order));
                requests.add(new CurveRequest(row, RANDOM_REVERSED, Order.reversed(order)));
                sources.add(RANDOM);
                sources.add(RANDOM);
            }
        }
        List<TargetCurve> curves = runner.run(inputs, targets, requests);
        Map<String, Map<String, List<TargetCurve>>> bySource = new LinkedHashMap<>();
        for (int i = 0; i < curves.size(); i++) {
            bySource.computeIfAbsent(sources.get(i), name -> new LinkedHashMap<>())
                    .computeIfAbsent(curves.get(i).label(), label -> new ArrayList<>()).add(curves.get(i));
        }
        List<SourceResult> results = new ArrayList<>();
        bySource.forEach((name, byLabel) -> results.add(new SourceResult(name, byLabel, scores(name, byLabel))));
        return results;
    }

    /** The label of a relevance order in results: {@code morf} or {@code lerf}. */
    public static String label(Order order) {
        return order.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Optional<List<RowScores>> scores(String name, Map<String, List<TargetCurve>> byLabel) {
        List<TargetCurve> first = byLabel.get(name.equals(RANDOM) ? RANDOM : label(Order.MORF));
        List<TargetCurve> second = byLabel.get(name.equals(RANDOM) ? RANDOM_REVERSED : label(Order.LERF));
        if (first == null || second == null) {
            return Optional.empty();
        }
        List<RowScores> rows = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            rows.add(RowScores.of(first.get(i), second.get(i)));
        }
        return Optional.of(rows);
    }

    private static double[] checked(String name, Tensor relevance, Tensor inputs) {
        if (!Arrays.equals(relevance.shape(), inputs.shape())) {
            throw new IllegalArgumentException("the relevance of " + name + " has shape "
                    + Arrays.toString(relevance.shape()) + ", expected the input's " + Arrays.toString(inputs.shape()));
        }
        double[] values = relevance.asDoubles();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("the relevance of " + name + " holds " + values[i]
                        + " at element " + i + "; expected finite values to rank regions by");
            }
        }
        return values;
    }
}
