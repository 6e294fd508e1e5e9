package io.lrpsidecar.engine.op;

import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.ShapeFunctions;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Primitives;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Slice} with constant starts, ends, axes and steps (inputs from opset 10, attributes before): a selection,
 * kind {@code MOVE} (a permutation). Axes with step 1 are cropped (a {@code Pad} with negative pads), other steps are
 * a {@code Gather} of the constant indices. The gradient pads back with zeros (and scatters back the gathered
 * entries). Such as the split of ViT's packed query/key/value projection.
 */
final class SliceOp extends MoveOp {

    @Override
    public String opType() {
        return "Slice";
    }

    @Override
    public String support() {
        return "Slice (constant starts, ends, axes, steps)";
    }

    @Override
    public Optional<String> refusal(Node node, Graph graph) {
        for (int i = 1; i < node.inputs().size(); i++) {
            if (!node.input(i).isEmpty() && !graph.isConstant(node.input(i))) {
                return Optional.of("input " + i + " ('" + node.input(i) + "') must be a constant");
            }
        }
        return Optional.empty();
    }

    /** The indices kept on each axis of an input of {@code shape}; {@code null} where the axis is not sliced. */
    static int[][] selection(Node node, int[] shape, Map<String, Tensor> constants) {
        long[] starts = parameter(node, 1, "starts", constants);
        long[] ends = parameter(node, 2, "ends", constants);
        long[] axes = parameter(node, 3, "axes", constants);
        long[] steps = parameter(node, 4, "steps", constants);
        if (starts == null || ends == null || starts.length != ends.length) {
            throw new ModelLoadException("node " + node.describe() + " needs constant starts and ends of one length");
        }
        int[][] selected = new int[shape.length][];
        for (int i = 0; i < starts.length; i++) {
            int axis = Shapes.axis(axes == null ? i : axes[i], shape.length);
            selected[axis] = ShapeFunctions.sliceIndices(shape[axis], starts[i], ends[i],
                    steps == null ? 1 : steps[i]);
        }
        return selected;
    }

    private static long[] parameter(Node node, int index, String attribute, Map<String, Tensor> constants) {
        if (index < node.inputs().size() && !node.input(index).isEmpty()) {
            Tensor value = constants.get(node.input(index));
            if (value == null) {
                throw new ModelLoadException("node " + node.describe() + " needs a constant input " + index + " ('"
                        + node.input(index) + "'), found a value computed at run time");
            }
            return value.asLongs();
        }
        return node.attributes().getInts(attribute).orElse(null);
    }

    @Override
    public List<int[]> outputShapes(Node node, List<int[]> inputShapes, Map<String, Tensor> constants) {
        int[] shape = inputShapes.get(0).clone();
        int[][] selected = selection(node, shape, constants);
        for (int axis = 0; axis < shape.length; axis++) {
            if (selected[axis] != null) {
                shape[axis] = selected[axis].length;
            }
        }
        return List.of(shape);
    }

    /** How the slice runs on one input: the crops of contiguous axes, then gathers on strided ones. */
    private record Plan(long[] crop, List<Integer> gatherAxes, List<Tensor> gatherIndices) {
    }

    private static Plan plan(NodeView view) {
        Map<String, Tensor> constants = new HashMap<>();
        for (int i = 1; i < view.node().inputs().size(); i++) {
            if (view.constant(i) != null) {
                constants.put(view.node().input(i), view.constant(i));
            }
        }
        int[] shape = view.inputShape(0);
        int[][] selected = selection(view.node(), shape, constants);
        int batchAxis = view.outputBatchAxes().get(0);
        long[] crop = new long[2 * shape.length];
        List<Integer> gatherAxes = new ArrayList<>();
        List<Tensor> gatherIndices = new ArrayList<>();
        for (int axis = 0; axis < shape.length; axis++) {
            int[] indices = selected[axis];
            if (indices == null) {
                continue;
            }
            boolean everything = indices.length == shape[axis] && contiguous(indices);
            if (axis == batchAxis && !everything) {
                throw new ModelLoadException("node " + view.node().describe() + " slices the batch axis " + axis
                        + "; expected it kept whole");
            }
            if (indices.length == 0) {
                throw new ModelLoadException("node " + view.node().describe() + " selects nothing on axis " + axis);
            }
            if (contiguous(indices)) {
                crop[axis] = -indices[0];
                crop[shape.length + axis] = -(shape[axis] - indices[indices.length - 1] - 1);
            } else {
                gatherAxes.add(axis);
                gatherIndices.add(Tensor.ofLongs(new int[] {indices.length},
                        java.util.Arrays.stream(indices).asLongStream().toArray()));
            }
        }
        return new Plan(crop, gatherAxes, gatherIndices);
    }

    private static boolean contiguous(int[] indices) {
        for (int i = 1; i < indices.length; i++) {
            if (indices[i] != indices[i - 1] + 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean crops(long[] crop) {
        return java.util.Arrays.stream(crop).anyMatch(pad -> pad != 0);
    }

    /** The value after the crop and after each gather: {@code stages.get(k)} is the input of gather {@code k}. */
    private static <T> List<T> stages(Primitives<T> p, Plan plan, T x) {
        List<T> stages = new ArrayList<>();
        T y = crops(plan.crop()) ? p.pad(x, plan.crop()) : x;
        stages.add(y);
        for (int k = 0; k < plan.gatherAxes().size(); k++) {
            y = p.gather(y, p.constant(plan.gatherIndices().get(k)), plan.gatherAxes().get(k));
            stages.add(y);
        }
        return stages;
    }

    @Override
    public <T> List<T> forward(Primitives<T> p, NodeView view, List<T> inputs) {
        List<T> stages = stages(p, plan(view), inputs.get(0));
        return List.of(stages.get(stages.size() - 1));
    }

    @Override
    public <T> List<T> vjp(Primitives<T> p, NodeView view, List<T> inputs, List<T> outputs, List<T> outputGradients) {
        Plan plan = plan(view);
        List<T> stages = stages(p, plan, inputs.get(0));
        T g = outputGradients.get(0);
        for (int k = plan.gatherAxes().size() - 1; k >= 0; k--) {
            g = p.gatherTransposed(g, p.constant(plan.gatherIndices().get(k)), plan.gatherAxes().get(k),
                    stages.get(k));
        }
        if (crops(plan.crop())) {
            g = p.pad(g, java.util.Arrays.stream(plan.crop()).map(pad -> -pad).toArray());
        }
        return Gradients.first(inputs.size(), g);
    }
}
