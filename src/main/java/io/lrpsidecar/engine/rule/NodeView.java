package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;

/**
 * What is known about a node before anything runs, and so the same in every engine: the node, its kind, its constant
 * inputs, which inputs carry relevance and which inputs cannot be negative. Rules branch only on these static facts,
 * so the reference and the compiled explainer take the same branch.
 *
 * @param node        the node
 * @param kind        its role for rule assignment
 * @param constants   the value of each input known at compile time ({@code null} for values computed at run time)
 * @param carrying    the inputs that receive relevance (they depend on the explained input)
 * @param nonNegative the inputs known never to be negative (after a Relu, and what only moves or pools such values)
 * @param inputShapes the static shape of each input at batch size 1 ({@code null} where not known)
 * @param outputShapes the static shape of each output at batch size 1 ({@code null} where not known)
 * @param outputBatchAxes the axis of each output that follows the batch
 * @param reluGated   whether the relevance of output 0 is zero wherever output 0 is not positive. From the graph
 *                    alone ({@code NodeViews}): every consumer of the output is a Relu and the output is not a graph
 *                    output; under a composite ({@code ExplainableModel.views(Composite)}) also each Relu's rule must
 *                    give nothing where {@code z <= 0} (its gradient {@code g [z > 0]}, or pass where what reaches
 *                    its output is proportional to it). A rule may then choose any denominator that agrees with its
 *                    own where {@code z > 0} and is not zero elsewhere.
 */
public record NodeView(Node node, OpKind kind, List<Tensor> constants, BitSet carrying, BitSet nonNegative,
        List<int[]> inputShapes, List<int[]> outputShapes, List<Integer> outputBatchAxes, boolean reluGated) {

    public NodeView {
        constants = Collections.unmodifiableList(new ArrayList<>(constants));
        carrying = (BitSet) carrying.clone();
        nonNegative = (BitSet) nonNegative.clone();
        inputShapes = Collections.unmodifiableList(new ArrayList<>(inputShapes));
        outputShapes = Collections.unmodifiableList(new ArrayList<>(outputShapes));
        outputBatchAxes = List.copyOf(outputBatchAxes);
    }

    /**
     * The shape of output {@code index} as an ONNX reshape target that holds for every batch size: the static shape
     * with {@code -1} on the batch axis.
     */
    public long[] batchAgnosticShape(int index) {
        int[] shape = outputShapes.get(index);
        if (shape == null) {
            throw new IllegalStateException("node " + node.describe() + " has no static output shape");
        }
        long[] target = java.util.Arrays.stream(shape).asLongStream().toArray();
        if (target.length > 0) {
            target[outputBatchAxes.get(index)] = -1;
        }
        return target;
    }

    /** This view with {@link #reluGated} false. */
    public NodeView withoutReluGate() {
        return new NodeView(node, kind, constants, carrying, nonNegative, inputShapes, outputShapes, outputBatchAxes,
                false);
    }

    /** Whether input {@code index} receives relevance. */
    public boolean carries(int index) {
        return carrying.get(index);
    }

    /** Whether input {@code index} is known never to be negative. */
    public boolean isNonNegative(int index) {
        return nonNegative.get(index);
    }

    /** The static shape of input {@code index} at batch size 1. */
    public int[] inputShape(int index) {
        int[] shape = inputShapes.get(index);
        if (shape == null) {
            throw new IllegalStateException("node " + node.describe() + " has no static shape for input " + index);
        }
        return shape;
    }

    /** The compile-time value of input {@code index}, or {@code null}. */
    public Tensor constant(int index) {
        return index < constants.size() ? constants.get(index) : null;
    }
}
