package io.lrpsidecar.engine.op;

import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The registry of every operator the engines know: adding an operator is its class and its line here. */
public final class Ops {
    /** Every operator, in the order the list of supported operators names them. */
    public static final List<Op> ALL = all();

    private static final Map<String, Op> BY_TYPE = ALL.stream().collect(Collectors.toMap(Ops::key, op -> op,
            (a, b) -> {
                throw new IllegalStateException("two operators for " + key(a));
            }, LinkedHashMap::new));

    private Ops() {
    }

    private static List<Op> all() {
        List<Op> ops = new ArrayList<>(List.of(new GemmOp(), new MatMulOp(), new DenseOp(), new ConvOp(),
                new ReluOp(), new LeakyReluOp(), new SigmoidOp(), new TanhOp(), new MaxPoolOp(),
                new AveragePoolOp(), new GlobalAveragePoolOp(), new PadOp(), new TransposeOp(), IdentityOp.identity(),
                IdentityOp.dropout(), new BatchNormalizationOp(), new AddOp(), new SubOp(), new MulOp(),
                new DivOp(), new ConcatOp(), SoftmaxOp.softmax(), SoftmaxOp.logSoftmax(), new LayerNormalizationOp(),
                new GeluOp(), new SiluOp(), new ReduceMeanOp(), new GatherOp(), new CastOp(), new HardSigmoidOp(), new HardSwishOp(), new SliceOp(),
                ExpandOp.expand(), ExpandOp.batchExpand()));
        ops.addAll(ReshapingOp.all());
        ops.addAll(MaskOp.all());
        return List.copyOf(ops);
    }

    private static String key(Op op) {
        return op.domain() + ":" + op.opType();
    }

    /** The operator of a node, if the engines know it. */
    public static Optional<Op> find(Node node) {
        return Optional.ofNullable(BY_TYPE.get(node.domain() + ":" + node.opType()));
    }

    /** The operator of a node the engines know. */
    public static Op of(Node node) {
        return find(node).orElseThrow(() -> new IllegalStateException("no operator for node " + node.describe()));
    }

    /** The shape function of a node's operator; unknown operators fail when asked for shapes. */
    public static ShapeRule shapeRule(Node node) {
        Optional<Op> op = find(node);
        if (op.isPresent()) {
            return op.get();
        }
        return (n, inputShapes, constants) -> {
            throw new ModelLoadException("no shape rule for node " + n.describe());
        };
    }

    /** The supported operators as the refusal message lists them. */
    public static String supported() {
        return ALL.stream().map(Op::support).collect(Collectors.joining(", "));
    }
}
