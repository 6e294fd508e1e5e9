package io.lrpsidecar.cli;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.BatchedExplainer;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.CurveSettings;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.Order;
import io.lrpsidecar.faithfulness.RankingSign;
import io.lrpsidecar.faithfulness.RegionSpec;
import io.lrpsidecar.faithfulness.Regions;
import io.lrpsidecar.faithfulness.SourceResult;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.npy.NpyArray;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.ForwardSession;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One faithfulness evaluation as the command line runs it: the model, its input rows and their targets (labels, else
 * the predicted class), the curve settings, and the model's forward pass on ONNX Runtime. Relevance comes from each
 * source's compiled explainer; the curves of all sources are drawn together, so a step's perturbed rows of every
 * source and order go to ONNX Runtime as one batch.
 */
final class Evaluation implements AutoCloseable {
    /**
     * The most input elements (rows × row size) in one forward run of the curves: about 32 MB of float32 input, and
     * with the perturbed rows held in double precision and ONNX Runtime's activations, a run stays within a few
     * hundred MB. Smaller than one step's rows, a step is split into several runs.
     */
    static final int MAX_ELEMENTS_PER_RUN = 8_000_000;
    /** Rows explained in one run of a compiled explainer. */
    private static final int EXPLAIN_BATCH = 256;

    private final ExplainableModel model;
    private final Tensor inputs;
    private final int[] targets;
    private final boolean fromLabels;
    private final String modelSha256;
    private final Baseline baseline;
    private final RegionSpec region;
    private final Regions regions;
    private final Set<Order> orders;
    private final int steps;
    private final long seed;
    private final RuntimeSettings runtime;
    private final ForwardSession forward;

    private Evaluation(ExplainableModel model, Tensor inputs, int[] targets, boolean fromLabels, String modelSha256,
            Baseline baseline, RegionSpec region, Set<Order> orders, int steps, long seed, RuntimeSettings runtime,
            ForwardSession forward) {
        this.model = model;
        this.inputs = inputs;
        this.targets = targets;
        this.fromLabels = fromLabels;
        this.modelSha256 = modelSha256;
        this.baseline = baseline;
        this.region = region;
        this.orders = orders;
        this.steps = steps;
        this.seed = seed;
        this.runtime = runtime;
        this.forward = forward;
        this.regions = region.regions(Arrays.copyOfRange(inputs.shape(), 1, inputs.rank()));
    }

    /**
     * Reads and checks everything before any explainer is compiled.
     *
     * @param rows the first rows to evaluate, or 0 for all
     */
    static Evaluation open(EvaluationOptions options, int rows, RuntimeSettings runtime) throws IOException {
        if (options.steps < 1) {
            throw new UserInputException("--steps " + options.steps + ": expected a whole number of at least 1");
        }
        if (rows < 0) {
            throw new UserInputException("--rows " + rows + ": expected a whole number of at least 1");
        }
        Set<Order> orders = parseOrders(options.orders);
        RegionSpec region;
        try {
            region = RegionSpec.parse(options.region);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--region " + e.getMessage());
        }
        ExplainableModel model = ExplainableModel.load(options.model);
        NpyArray array = Npy.read(options.input);
        if (model.tokenInput() ? array.dtype() != ElementType.INT64 : !array.dtype().isFloatingPoint()) {
            throw new UserInputException(options.input.getFileName() + ": expected " + (model.tokenInput()
                    ? "int64 token ids" : "float32 or float64 input") + ", found "
                    + array.dtype().name().toLowerCase(Locale.ROOT));
        }
        Tensor all = array.tensor();
        if (all.rank() < 2 || all.dim(0) == 0) {
            throw new UserInputException(options.input.getFileName() + ": expected rows [rows, ...], found shape "
                    + Arrays.toString(all.shape()));
        }
        int count = rows == 0 ? all.dim(0) : Math.min(rows, all.dim(0));
        Tensor inputs = firstRows(all, count);
        model.checkInput(inputs);
        long[] labels = null;
        if (options.labels != null) {
            Tensor labelTensor = Npy.read(options.labels).tensor();
            if (labelTensor.isFloatingPoint() || labelTensor.rank() != 1 || labelTensor.dim(0) != all.dim(0)) {
                throw new UserInputException(options.labels.getFileName() + ": expected " + all.dim(0)
                        + " integer labels (one per input row, shape [" + all.dim(0) + "]), found "
                        + labelTensor.type().name().toLowerCase(Locale.ROOT) + " "
                        + Arrays.toString(labelTensor.shape()));
            }
            labels = Arrays.copyOf(labelTensor.asLongs(), count);
        }
        try {
            region.regions(Arrays.copyOfRange(inputs.shape(), 1, inputs.rank()));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--region " + e.getMessage());
        }
        Baseline baseline = BaselineOption.parse(options.baseline, model.tokenInput(), inputs);
        ForwardSession forward = new ForwardSession(model, runtime);
        try {
            double[][] logits = forward.logits(inputs);
            int[] targets = labels != null ? new Target.PerRow(labels).resolve(logits)
                    : new Target.Predicted().resolve(logits);
            return new Evaluation(model, inputs, targets, labels != null, sha256(options.model), baseline, region,
                    orders, options.steps, options.seed, runtime, forward);
        } catch (RuntimeException e) {
            forward.close();
            throw e;
        }
    }

    private static Set<Order> parseOrders(List<String> names) {
        Set<Order> orders = EnumSet.noneOf(Order.class);
        for (String name : names) {
            try {
                orders.add(Order.parse(name));
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--order " + e.getMessage());
            }
        }
        return orders;
    }

    /** The input relevance of {@code composite} for every row and its target, from the compiled explainer. */
    Tensor relevance(Composite composite) {
        InitMode init = RankingSign.contributionInit(composite);
        long[] perRow = Arrays.stream(targets).asLongStream().toArray();
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model, composite, init),
                model, runtime)) {
            Explanation explanation = new BatchedExplainer(explainer, EXPLAIN_BATCH).explain(inputs,
                    new Target.PerRow(perRow), init);
            return explanation.relevance();
        }
    }

    /** The curves and scores of every source (in the map's order), and of the random control when asked for. */
    List<SourceResult> evaluate(Map<String, Tensor> relevance) {
        int curvesPerStep = inputs.dim(0) * (relevance.size() * (int) orders.stream()
                .filter(order -> order != Order.RANDOM).count() + (orders.contains(Order.RANDOM) ? 2 : 0));
        int rowSize = inputs.size() / inputs.dim(0);
        int maxRows = Math.max(1, Math.min(curvesPerStep, MAX_ELEMENTS_PER_RUN / rowSize));
        CurveSettings settings = new CurveSettings(steps, region, baseline, seed, maxRows);
        return new FaithfulnessEvaluator(forward, settings).evaluate(inputs, targets, relevance, orders);
    }

    static Tensor firstRows(Tensor tensor, int rows) {
        int width = tensor.size() / tensor.dim(0);
        int[] shape = tensor.shape().clone();
        shape[0] = rows;
        if (!tensor.isFloatingPoint()) {
            return Tensor.ofLongs(shape, Arrays.copyOf(tensor.asLongs(), rows * width));
        }
        return Tensor.of(shape, Arrays.copyOf(tensor.asDoubles(), rows * width));
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    ExplainableModel model() {
        return model;
    }

    Tensor inputs() {
        return inputs;
    }

    int[] targets() {
        return targets.clone();
    }

    boolean targetsFromLabels() {
        return fromLabels;
    }

    String modelSha256() {
        return modelSha256;
    }

    Baseline baseline() {
        return baseline;
    }

    RegionSpec region() {
        return region;
    }

    Set<Order> orders() {
        return orders;
    }

    int steps() {
        return steps;
    }

    /** The steps a curve takes: {@code min(steps, regions)}. */
    int stepsUsed() {
        return Math.min(steps, regions.count());
    }

    int regionCount() {
        return regions.count();
    }

    long seed() {
        return seed;
    }

    @Override
    public void close() {
        forward.close();
    }
}
