package io.lrpsidecar.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.LedgerColumn;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explainer;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.LedgerEntry;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a compiled explainer through DJL on ONNX Runtime: one session, built once, one run per batch giving logits,
 * relevance and ledger. Thread-safe (runs are serialised); close it to free the native session.
 *
 * <p>On CUDA the session options carry the one CUDA provider, with TF32 off ({@link CudaProviderOptions}). DJL's
 * model is created on the CPU device all the same: DJL 0.38's {@code OrtModel} appends a default CUDA provider (TF32
 * on) whenever the model's device is a GPU, and ONNX Runtime refuses a second CUDA provider. DJL's ONNX Runtime
 * tensors live in host memory on either device; ONNX Runtime copies them to the GPU.
 *
 * <p>A token model's explainer takes its {@code input} as int64 token ids and returns one float relevance value per
 * token (the input's shape). Built with the model it was compiled from, the explainer checks every input with
 * {@link ExplainableModel#checkInput} before running, so ids outside the vocabulary fail with a message naming the row
 * and position instead of reaching ONNX Runtime.
 *
 * <p>A {@link Target.Contrastive} target is fed as the graph's {@code contrast} input; an explainer compiled before
 * that input existed is fed only {@code input} and {@code target}, and refuses contrastive targets.
 */
public final class CompiledExplainer implements Explainer, AutoCloseable {
    private final CompiledModel compiled;
    private final OrtPredictor session;
    private final boolean tokenInput;
    private final Optional<ExplainableModel> source;

    /** An explainer that checks only the input's element type (integer ids for a token model, else floats). */
    public CompiledExplainer(CompiledModel compiled, RuntimeSettings settings) {
        this(compiled, Optional.empty(), settings);
    }

    /** An explainer that checks every input against the model it was compiled from before running it. */
    public CompiledExplainer(CompiledModel compiled, ExplainableModel source, RuntimeSettings settings) {
        this(compiled, Optional.of(source), settings);
    }

    private CompiledExplainer(CompiledModel compiled, Optional<ExplainableModel> source, RuntimeSettings settings) {
        this.compiled = compiled;
        this.source = source;
        this.tokenInput = inputType(compiled) == ElementType.INT64;
        this.session = new OrtPredictor(compiled.toOnnx(), settings, "the compiled explainer");
    }

    /**
     * Session options with the spinning policy and deterministic compute (CUDA kernels with a fast non-deterministic
     * path, such as {@code ReduceSum}, take the deterministic one, so a batch gives the same relevance on every run);
     * DJL adds threads and optimisation level, the constructor the CUDA provider.
     */
    public static OrtSession.SessionOptions sessionOptions(RuntimeSettings settings) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setDeterministicCompute(true);
            options.addConfigEntry("session.intra_op.allow_spinning", settings.spinning() ? "1" : "0");
            options.addConfigEntry("session.inter_op.allow_spinning", settings.spinning() ? "1" : "0");
        } catch (OrtException e) {
            options.close();
            throw new IllegalStateException("ONNX Runtime refused a session setting: " + e.getMessage(), e);
        }
        return options;
    }

    /**
     * The versions of the libraries that compute explanations, read from the ones loaded: ONNX Runtime's from its
     * native library (DJL's {@code Engine.getVersion()} names the ONNX Runtime DJL was built against, not the one
     * that runs), DJL's from its API jar.
     */
    public static Map<String, String> runtimeVersions() {
        Engine.getEngine("OnnxRuntime");
        String project = CompiledExplainer.class.getPackage().getImplementationVersion();
        return Map.of("onnxruntime", OrtEnvironment.getEnvironment().getVersion(), "djl", Engine.getDjlVersion(),
                "lrp-sidecar", project == null ? "development" : project);
    }

    /** The execution provider the session runs on. */
    public ExecutionProvider executionProvider() {
        return session.provider();
    }

    public CompiledModel compiledModel() {
        return compiled;
    }

    /** Whether the compiled explainer takes int64 token ids. */
    public boolean tokenInput() {
        return tokenInput;
    }

    private static ElementType inputType(CompiledModel compiled) {
        return compiled.graph().inputs().stream().filter(input -> input.name().equals(CompiledModel.INPUT))
                .map(ValueInfo::type).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "expected the compiled explainer to have an input '" + CompiledModel.INPUT + "', found "
                                + compiled.graph().inputs().stream().map(ValueInfo::name).toList()));
    }

    @Override
    public synchronized Explanation explain(Tensor input, Target target, InitMode init) {
        if (init != compiled.init()) {
            throw new IllegalArgumentException("this explainer was compiled for init " + compiled.init()
                    + ", asked for " + init);
        }
        if (tokenInput == input.isFloatingPoint()) {
            throw new IllegalArgumentException("this explainer takes " + (tokenInput ? "int64 token ids"
                    : "floating-point values") + " as input '" + CompiledModel.INPUT + "', found " + input.type()
                    + " values");
        }
        source.ifPresent(model -> model.checkInput(input));
        int rows = input.dim(0);
        Target chosen = target instanceof Target.Contrastive contrastive ? contrastive.target() : target;
        long[] targets = requestedTargets(chosen, rows);
        Optional<long[]> contrasts = requestedContrasts(target, rows);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime")) {
            Shape shape = new Shape(Arrays.stream(input.shape()).asLongStream().toArray());
            NDArray inputArray = tokenInput ? manager.create(input.asLongs(), shape)
                    : manager.create(toFloats(input.asDoubles()), shape);
            inputArray.setName(CompiledModel.INPUT);
            NDArray targetArray = manager.create(targets, new Shape(rows));
            targetArray.setName(CompiledModel.TARGET);
            NDList inputs = new NDList(inputArray, targetArray);
            if (compiled.takesContrast()) {
                NDArray contrastArray = manager.create(contrasts.orElseGet(() -> noContrast(rows)), new Shape(rows));
                contrastArray.setName(CompiledModel.CONTRAST);
                inputs.add(contrastArray);
            }
            NDList outputs = session.run(inputs);
            return toExplanation(outputs, input.shape(), target, init);
        } catch (TranslateException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the explainer: " + e.getMessage(), e);
        }
    }

    private long[] requestedTargets(Target target, int rows) {
        long[] targets = new long[rows];
        if (target instanceof Target.Predicted) {
            Arrays.fill(targets, -1);
            return targets;
        }
        if (target instanceof Target.PerRowOrPredicted perRow) {
            int[] forRange = new int[rows];
            for (int row = 0; row < rows; row++) {
                targets[row] = perRow.requested()[row];
                forRange[row] = Math.max(0, perRow.requested()[row]);
            }
            new Target.PerRowOrPredicted(forRange).resolve(new double[rows][compiled.classes()]);
            return targets;
        }
        double[][] shapeOnly = new double[rows][compiled.classes()];
        int[] resolved = target.resolve(shapeOnly);
        for (int row = 0; row < rows; row++) {
            targets[row] = resolved[row];
        }
        return targets;
    }

    /**
     * The coded contrast of each row ({@link Contrast#requested}) for a contrastive target, checked against the class
     * count; empty for any other target. An explainer compiled without the {@code contrast} input refuses a
     * contrastive target rather than explain without it.
     */
    private Optional<long[]> requestedContrasts(Target target, int rows) {
        if (!(target instanceof Target.Contrastive contrastive)) {
            return Optional.empty();
        }
        if (!compiled.takesContrast()) {
            throw new IllegalArgumentException("this explainer was compiled without the '" + CompiledModel.CONTRAST
                    + "' input, so it cannot explain against a contrast class; compile it again");
        }
        return Optional.of(Arrays.stream(contrastive.against().requested(rows, compiled.classes()))
                .asLongStream().toArray());
    }

    private static long[] noContrast(int rows) {
        long[] none = new long[rows];
        Arrays.fill(none, Contrast.NONE);
        return none;
    }

    private Explanation toExplanation(NDList outputs, int[] inputShape, Target target, InitMode init) {
        double[] logits = doubles(outputs.get(CompiledModel.LOGITS));
        int rows = inputShape[0];
        int classes = compiled.classes();
        double[][] logitRows = new double[rows][];
        for (int row = 0; row < rows; row++) {
            logitRows[row] = Arrays.copyOfRange(logits, row * classes, (row + 1) * classes);
        }
        int[] targets = target.resolve(logitRows);
        int[] contrasts = target.contrasts(logitRows, targets);
        double[] initial = Explanation.initialRelevance(logitRows, targets, contrasts, init);
        double[] ledgerIn = doubles(outputs.get(CompiledModel.LEDGER));
        double[] ledgerOut = doubles(outputs.get(CompiledModel.LEDGER_OUT));
        List<LedgerEntry> ledger = new ArrayList<>();
        List<LedgerColumn> columns = compiled.layers();
        for (int column = 0; column < columns.size(); column++) {
            double[] in = new double[rows];
            double[] out = new double[rows];
            for (int row = 0; row < rows; row++) {
                in[row] = ledgerIn[row * columns.size() + column];
                out[row] = ledgerOut[row * columns.size() + column];
            }
            LedgerColumn layer = columns.get(column);
            ledger.add(new LedgerEntry(layer.name(), layer.opType(), layer.rule(), in, out));
        }
        Tensor relevance = Tensor.of(inputShape, doubles(outputs.get(CompiledModel.RELEVANCE)));
        return new Explanation(Tensor.of(new int[] {rows, classes}, logits), targets, contrasts, initial, relevance,
                ledger, Map.of());
    }

    private static double[] doubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    /** The values rounded to float32, the precision the sessions run in. */
    static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    @Override
    public void close() {
        session.close();
    }
}
