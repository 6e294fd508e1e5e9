package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * {@code MatMul} of rank-2 or higher operands, broadcast over the leading axes: {@code Y = A B}. A MatMul by a
 * constant 2-D weight becomes a {@code Dense} node when the graph is canonicalized; what remains multiplies two
 * values computed at run time, such as {@code Q K^T} and {@code A V} in attention. Both operands are data; the kind
 * is {@code MATMUL} when both carry relevance (the bilinear rule splits it between them) and {@code DENSE} when one
 * does (the other then acts as a weight). Gradients {@code G B^T} and {@code A^T G}.
 */
final class MatMulOp implements Op {

    @Override
    public String opType() {
        return "MatMul";
    }

    @Override
    public String support() {
        return "MatMul";
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] a = inputShapes.get(0);
        int[] b = inputShapes.get(1);
        if (a.length < 2 || b.length < 2 || a[a.length - 1] != b[b.length - 2]) {
            throw new ModelLoadException("node " + node.describe() + ": cannot multiply " + Arrays.toString(a)
                    + " by " + Arrays.toString(b) + " (expected operands of rank >= 2 whose inner axes match)");
        }
        int[] leading = Shapes.broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        int[] shape = Arrays.copyOf(leading, leading.length + 2);
        shape[leading.length] = a[a.length - 2];
        shape[leading.length + 1] = b[b.length - 1];
        return List.of(shape);
    }

    @Override
    public BitSet dataInputs(Node node) {
        BitSet data = new BitSet();
        data.set(0, 2);
        return data;
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        return List.of(p.matMul(inputs.get(0), inputs.get(1)));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        T a = inputs.get(0);
        T b = inputs.get(1);
        T g = outputGradients.get(0);
        T ga = view.carries(0) ? Gradients.sumTo(p, p.matMul(g, swapLast(p, b)), a) : null;
        T gb = view.carries(1) ? Gradients.sumTo(p, p.matMul(swapLast(p, a), g), b) : null;
        return Arrays.asList(ga, gb);
    }

    private static <T> T swapLast(Primitives<T> p, T x) {
        int rank = p.rank(x);
        int[] permutation = new int[rank];
        for (int i = 0; i < rank; i++) {
            permutation[i] = i;
        }
        permutation[rank - 2] = rank - 1;
        permutation[rank - 1] = rank - 2;
        return p.transpose(x, permutation);
    }

    @Override
    public OpKind kind(Node node, Graph graph, BitSet carrying) {
        return carrying.cardinality() == 2 ? OpKind.MATMUL : OpKind.DENSE;
    }
}
