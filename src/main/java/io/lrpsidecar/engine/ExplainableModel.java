package io.lrpsidecar.engine;

import io.lrpsidecar.engine.canonizer.BatchNormMerger;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.BatchAxes;
import io.lrpsidecar.graph.Canonicalizer;
import io.lrpsidecar.graph.ConstantFolder;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.graph.rewrite.Fusion;
import io.lrpsidecar.graph.rewrite.PatternRewriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A classifier ready to be explained: read, constant-folded, canonicalized (dense layers as {@code Dense}, explicit
 * conv biases), BatchNorm merged (unless disabled), and checked for support. Knows its single input and the value
 * whose relevance is initialised: the logits, i.e. the graph output or, when the graph ends with
 * Softmax/LogSoftmax/Sigmoid, that activation's input.
 *
 * @param graph            the canonical graph
 * @param input            the runtime input
 * @param logits           the name of the explained output value
 * @param outputActivation the activation ending the graph, if any
 * @param mergedBatchNorms BatchNorm node name to the layer it was merged into
 * @param relevanceRoot    the value whose relevance is the explanation: the input, or for token ids the embedding
 *                         {@code h0} (see {@link TokenRoot})
 * @param views            the static facts of every node, by name in topological order ({@link NodeViews})
 */
public record ExplainableModel(Graph graph, ValueInfo input, String logits, Optional<Node> outputActivation,
        Map<String, String> mergedBatchNorms, String relevanceRoot, Map<String, NodeView> views) {

    public static ExplainableModel load(Path path) {
        try {
            return prepare(OnnxModelReader.read(path), true);
        } catch (ModelLoadException e) {
            if (e.getMessage().startsWith(String.valueOf(path.getFileName()))) {
                throw e;
            }
            throw new ModelLoadException(path.getFileName() + ": " + e.getMessage(), e);
        }
    }

    public static ExplainableModel load(byte[] onnxBytes) {
        return prepare(OnnxModelReader.read(onnxBytes), true);
    }

    /**
     * A graph folded, canonicalized and (optionally) BatchNorm-merged, before the support check.
     *
     * @param graph            the canonical graph
     * @param mergedBatchNorms BatchNorm node name to the layer it was merged into
     * @param fusions          the patterns fused into single nodes ({@link PatternRewriter})
     */
    public record Canonical(Graph graph, Map<String, String> mergedBatchNorms, List<Fusion> fusions) {
        public Canonical {
            fusions = List.copyOf(fusions);
        }
    }

    /** Folds constants, canonicalizes dense layers and conv biases, and optionally merges BatchNorm. */
    public static Canonical canonicalize(Graph raw, boolean mergeBatchNorm) {
        PatternRewriter.Rewritten rewritten = PatternRewriter.rewrite(ConstantFolder.fold(raw, Ops::shapeRule),
                Ops::shapeRule);
        Graph graph = Canonicalizer.canonicalize(refold(rewritten.graph()));
        if (!mergeBatchNorm) {
            return new Canonical(graph, Map.of(), rewritten.fusions());
        }
        BatchNormMerger.Result result = BatchNormMerger.merge(graph);
        return new Canonical(result.graph(), result.mergedInto(), rewritten.fusions());
    }

    /**
     * Folds a rewritten graph once more where the first folding lost track of shapes: it infers shapes only through
     * operators with a shape rule, so the shape arithmetic behind an unfused pattern (an {@code Erf} of a GELU,
     * say) stays unfolded until the pattern is one node.
     */
    private static Graph refold(Graph rewritten) {
        boolean readsShapes = rewritten.nodes().stream().anyMatch(node -> node.opType().equals("Shape"));
        return readsShapes ? ConstantFolder.fold(rewritten, Ops::shapeRule) : rewritten;
    }

    /** Folds, canonicalizes, optionally merges BatchNorm, and checks a graph as read from ONNX. */
    public static ExplainableModel prepare(Graph raw, boolean mergeBatchNorm) {
        return prepare(raw, mergeBatchNorm, Optional.empty(), Optional.empty());
    }

    /**
     * As {@link #prepare(Graph, boolean)}, checking the input's name and explaining a named value instead of the
     * first output (or the input of the activation that ends the graph).
     */
    public static ExplainableModel prepare(Graph raw, boolean mergeBatchNorm, Optional<String> inputName,
            Optional<String> logitsName) {
        return of(canonicalize(raw, mergeBatchNorm), inputName, logitsName);
    }

    /** Checks an already canonical graph and makes it explainable (what {@link #prepare} does after folding). */
    public static ExplainableModel of(Canonical canonical, Optional<String> inputName, Optional<String> logitsName) {
        Graph graph = canonical.graph();
        OperatorSupport.check(graph);
        Optional<Node> ending = OperatorSupport.outputActivation(graph);
        ValueInfo input = graph.inputs().get(0);
        if (inputName.isPresent() && !inputName.get().equals(input.name())) {
            throw new ModelLoadException("expected the model input '" + inputName.get() + "', found '"
                    + input.name() + "'");
        }
        String logits = ending.map(node -> node.input(0)).orElse(graph.outputs().get(0).name());
        if (logitsName.isPresent()) {
            logits = logitsName.get();
            if (graph.producer(logits).isEmpty()) {
                throw new ModelLoadException("the model computes no value named '" + logits + "'; outputs: "
                        + graph.outputs().stream().map(ValueInfo::name).toList());
            }
        }
        checkShapes(graph, input, logits);
        String root = input.type().isFloatingPoint() ? input.name() : TokenRoot.of(graph, input.name());
        return new ExplainableModel(graph, input, logits, ending, canonical.mergedBatchNorms(), root,
                NodeViews.of(graph, root, Set.of()));
    }

    private static void checkShapes(Graph graph, ValueInfo input, String logits) {
        boolean fixedRowShape = input.shape().stream().skip(1).allMatch(dim -> dim >= 0);
        if (!fixedRowShape || input.rank() == 0) {
            return;
        }
        int[] logitsShape = ShapeInference.infer(graph, 1, Ops::shapeRule).get(logits);
        if (logitsShape.length != 2) {
            throw new ModelLoadException("expected the explained output '" + logits + "' to have shape "
                    + "[batch, classes], found " + Arrays.toString(logitsShape));
        }
    }

    /** The number of rows of the embedding table the token ids index (its first axis). */
    public int vocabularySize() {
        Node lookup = graph.consumers(input.name()).stream().filter(node -> node.opType().equals("Gather")
                && node.input(1).equals(input.name())).findFirst().orElseThrow();
        return graph.initializers().get(lookup.input(0)).dim(0);
    }

    private void checkTokenIds(Tensor ids) {
        if (ids.isFloatingPoint()) {
            throw new ModelLoadException("input '" + inputName() + "' expected int64 token ids, found "
                    + ids.type().name().toLowerCase(java.util.Locale.ROOT) + " values");
        }
        int vocabulary = vocabularySize();
        long[] values = ids.asLongs();
        int width = values.length / ids.dim(0);
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= vocabulary) {
                throw new ModelLoadException("input row " + i / width + " holds token id " + values[i]
                        + " at position " + i % width + "; expected ids in [0, " + vocabulary + ")");
            }
        }
    }

    /** Whether the input holds token ids (int64), whose relevance is read at the embedding {@code h0}. */
    public boolean tokenInput() {
        return !input.type().isFloatingPoint();
    }

    /** The static facts of every node, with relevance carried from the root through every kind. */
    public Map<String, NodeView> views() {
        return views;
    }

    /**
     * The static facts of every node under a composite: its held kinds carry no relevance, and a Relu gate holds only
     * where the composite's rules keep it ({@link ReluGates}).
     */
    public Map<String, NodeView> views(Composite composite) {
        Map<String, NodeView> held = composite.held().isEmpty() ? views
                : NodeViews.of(graph, relevanceRoot, composite.held());
        return ReluGates.underRules(graph, held, composite.assign(held));
    }

    /** The shape of every value with the batch axis of the input set to {@code batch}. */
    public Map<String, int[]> shapes(int batch) {
        return ShapeInference.infer(graph, batch, Ops::shapeRule);
    }

    /** Where the batch axis of every value lies ({@link BatchAxes}). */
    public Map<String, Integer> batchAxes() {
        return BatchAxes.of(graph, Ops::shapeRule);
    }

    /**
     * Whether some value holds the batch merged with another axis: attention implementations fold the heads into the
     * batch ({@code [T, B, D] -> [T, B * H, d]}), and a flattening may put the batch inside the tokens
     * ({@code [T, B, D] -> [T * B, D]}). Row sums of such a value cannot be told apart from its values alone, so both
     * engines explain such models one row at a time.
     */
    public boolean mergesBatch() {
        Map<String, int[]> shapes;
        try {
            shapes = shapes(1);
        } catch (RuntimeException unknownShapes) {
            return false;
        }
        return batchAxes().entrySet().stream().anyMatch(entry -> shapes.containsKey(entry.getKey())
                && shapes.get(entry.getKey()).length > entry.getValue()
                && shapes.get(entry.getKey())[entry.getValue()] != 1);
    }

    /** The input shape of one row (without the batch axis), {@code -1} where the model leaves it open. */
    public List<Integer> rowShape() {
        return input.shape().subList(Math.min(1, input.rank()), input.rank());
    }

    public String inputName() {
        return input.name();
    }

    /** Fails with a one-line message unless {@code input} fits the model and holds only finite values. */
    public void checkInput(Tensor input) {
        List<Integer> rowShape = rowShape();
        int[] shape = input.shape();
        boolean matches = shape.length == rowShape.size() + 1;
        for (int axis = 1; matches && axis < shape.length; axis++) {
            int expected = rowShape.get(axis - 1);
            matches = expected < 0 || expected == shape[axis];
        }
        if (!matches || shape.length == 0 || shape[0] == 0) {
            throw new ModelLoadException("input '" + inputName() + "' expected shape [batch"
                    + rowShape.stream().map(dim -> ", " + (dim < 0 ? "?" : dim)).reduce("", String::concat)
                    + "] with batch >= 1, found " + Shapes.format(shape));
        }
        if (tokenInput()) {
            checkTokenIds(input);
            return;
        }
        double[] values = input.asDoubles();
        int width = values.length / shape[0];
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new ModelLoadException("input row " + i / width + " holds " + values[i] + " at element "
                        + i % width + "; explanations need finite inputs");
            }
        }
    }
}
