package io.lrpsidecar.faithfulness;

import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Draws perturbation curves: point 0 is the unperturbed row, step {@code k} replaces the first
 * {@code ⌊k·n / L⌋} regions of the curve's order by the baseline ({@link CurveSettings}). The rows are sent to the
 * model step by step, every curve's row of a step in the same run (split only past
 * {@link CurveSettings#maxBatchRows}), so a step costs one batched forward pass. At most
 * {@link CurveSettings#maxBatchRows} perturbed rows are held at a time: runs fill up across steps, and a step with more
 * curves than that is split.
 */
public final class PerturbationRunner {
    private final ForwardModel forward;
    private final CurveSettings settings;

    public PerturbationRunner(ForwardModel forward, CurveSettings settings) {
        this.forward = forward;
        this.settings = settings;
    }

    public CurveSettings settings() {
        return settings;
    }

    /** The regions of one row of {@code inputs}. */
    public Regions regions(Tensor inputs) {
        return settings.region().regions(rowShape(inputs));
    }

    /**
     * The curves of {@code requests} over {@code inputs} ({@code [rows, ...]}), following {@code targets[row]}.
     */
    public List<TargetCurve> run(Tensor inputs, int[] targets, List<CurveRequest> requests) {
        int[] rowShape = rowShape(inputs);
        int rowSize = inputs.size() / inputs.dim(0);
        Regions regions = settings.region().regions(rowShape);
        int stepCount = settings.stepsFor(regions.count());
        double[] values = inputs.asDoubles();
        Map<Integer, double[]> baselines = new LinkedHashMap<>();
        for (CurveRequest request : requests) {
            if (request.order().length != regions.count()) {
                throw new IllegalArgumentException("the " + request.label() + " order of row " + request.row()
                        + " ranks " + request.order().length + " regions, expected " + regions.count());
            }
            baselines.computeIfAbsent(request.row(), row -> settings.baseline().forRow(
                    Arrays.copyOfRange(values, row * rowSize, (row + 1) * rowSize), rowShape));
        }
        double[][][] stepLogits = new double[requests.size()][stepCount + 1][];
        Map<Integer, double[][]> ends = new LinkedHashMap<>();
        Batch batch = new Batch(rowShape, inputs.isFloatingPoint());
        for (int row : baselines.keySet()) {
            double[][] rowEnds = new double[2][];
            ends.put(row, rowEnds);
            batch.add(Arrays.copyOfRange(values, row * rowSize, (row + 1) * rowSize), logits -> rowEnds[0] = logits);
            batch.add(baselines.get(row).clone(), logits -> rowEnds[1] = logits);
        }
        for (int k = 1; k < stepCount; k++) {
            int perturbed = CurveSettings.perturbedAt(k, regions.count(), stepCount);
            for (int r = 0; r < requests.size(); r++) {
                CurveRequest request = requests.get(r);
                double[][] curve = stepLogits[r];
                int step = k;
                batch.add(perturb(values, request.row() * rowSize, rowSize, baselines.get(request.row()),
                        regions.elementsOf(request.order(), perturbed)), logits -> curve[step] = logits);
            }
        }
        batch.flush();
        for (int r = 0; r < requests.size(); r++) {
            double[][] rowEnds = ends.get(requests.get(r).row());
            stepLogits[r][0] = rowEnds[0];
            stepLogits[r][stepCount] = rowEnds[1];
        }
        List<TargetCurve> curves = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            CurveRequest request = requests.get(r);
            int target = targets[request.row()];
            double[] logit = new double[stepCount + 1];
            double[] probability = new double[stepCount + 1];
            for (int k = 0; k <= stepCount; k++) {
                logit[k] = stepLogits[r][k][target];
                probability[k] = probability(stepLogits[r][k], target);
            }
            curves.add(new TargetCurve(request.row(), request.label(), target, logit, probability));
        }
        return curves;
    }

    private static double[] perturb(double[] values, int offset, int size, double[] baseline, boolean[] perturbed) {
        double[] row = Arrays.copyOfRange(values, offset, offset + size);
        for (int i = 0; i < size; i++) {
            if (perturbed[i]) {
                row[i] = baseline[i];
            }
        }
        return row;
    }

    /**
     * Rows waiting for the model, each with where its logits go; runs them when {@link CurveSettings#maxBatchRows}
     * are waiting, so at most that many perturbed rows are held at a time.
     */
    private final class Batch {
        private final int[] rowShape;
        private final boolean floating;
        private final List<double[]> rows = new ArrayList<>();
        private final List<Consumer<double[]>> sinks = new ArrayList<>();

        Batch(int[] rowShape, boolean floating) {
            this.rowShape = rowShape;
            this.floating = floating;
        }

        void add(double[] row, Consumer<double[]> sink) {
            rows.add(row);
            sinks.add(sink);
            if (rows.size() == settings.maxBatchRows()) {
                flush();
            }
        }

        void flush() {
            if (rows.isEmpty()) {
                return;
            }
            double[][] logits = forward.logits(batchOf(rows, rowShape, floating));
            if (logits.length != rows.size()) {
                throw new IllegalStateException("the model gave " + logits.length + " rows of logits for "
                        + rows.size() + " input rows");
            }
            for (int i = 0; i < logits.length; i++) {
                sinks.get(i).accept(logits[i]);
            }
            rows.clear();
            sinks.clear();
        }
    }

    private static Tensor batchOf(List<double[]> rows, int[] rowShape, boolean floating) {
        int size = rows.get(0).length;
        int[] shape = new int[rowShape.length + 1];
        shape[0] = rows.size();
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        if (floating) {
            double[] values = new double[rows.size() * size];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, values, i * size, size);
            }
            return Tensor.of(shape, values);
        }
        long[] ids = new long[rows.size() * size];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < size; j++) {
                ids[i * size + j] = (long) rows.get(i)[j];
            }
        }
        return Tensor.ofLongs(shape, ids);
    }

    private static int[] rowShape(Tensor inputs) {
        if (inputs.rank() < 2 || inputs.dim(0) == 0) {
            throw new IllegalArgumentException("expected a batch of input rows [rows, ...], found shape "
                    + Arrays.toString(inputs.shape()));
        }
        return Arrays.copyOfRange(inputs.shape(), 1, inputs.rank());
    }

    /**
     * The target's probability: softmax over the classes after subtracting the largest logit, or the sigmoid of the
     * logit when the model has one output.
     */
    static double probability(double[] logits, int target) {
        if (logits.length == 1) {
            return 1 / (1 + Math.exp(-logits[0]));
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (double logit : logits) {
            sum += Math.exp(logit - max);
        }
        return Math.exp(logits[target] - max) / sum;
    }
}
