package io.lrpsidecar.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings every dense layer into one canonical form so that rules see one kind of layer each:
 * <ul>
 *   <li>{@code Gemm(A, B, C)} with constant {@code B} and optional constant {@code C} becomes
 *       {@code Dense(x, W[N, K], b[N])} with {@code W = alpha * op(B)^T} and {@code b = beta * C};
 *       {@code transA = 1} becomes a {@code Transpose} in front;</li>
 *   <li>{@code MatMul(x, W[K, N])} with a constant weight becomes {@code Dense(x, W^T, b)}, taking as its bias the
 *       constant of an {@code Add} that is its only consumer (zero bias otherwise);</li>
 *   <li>a {@code Conv} without bias gets an explicit zero bias, so that BatchNorm merging and the rules that
 *       clamp the bias always see one.</li>
 * </ul>
 * {@code Dense} lives in the {@link Node#LRP_DOMAIN} domain and applies to the last axis of its input.
 * Nodes that do not fit these forms are left unchanged (and reported by the support check).
 */
public final class Canonicalizer {
    private Canonicalizer() {
    }

    public static Graph canonicalize(Graph graph) {
        Map<String, Tensor> constants = new LinkedHashMap<>(graph.initializers());
        Map<String, Integer> uses = graph.useCounts();
        List<Node> nodes = new ArrayList<>();
        List<String> absorbedAdds = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (absorbedAdds.contains(node.name())) {
                continue;
            }
            switch (node.opType()) {
                case "Gemm" -> nodes.addAll(gemm(node, constants));
                case "MatMul" -> {
                    Node bias = biasAdd(graph, node, constants, uses);
                    Node dense = matMul(node, bias, constants);
                    if (dense != null && bias != null) {
                        absorbedAdds.add(bias.name());
                    }
                    nodes.add(dense == null ? node : dense);
                }
                case "Conv" -> nodes.add(convWithBias(node, constants));
                default -> nodes.add(node);
            }
        }
        return graph.with(nodes, constants).pruned();
    }

    private static List<Node> gemm(Node node, Map<String, Tensor> constants) {
        Tensor b = constants.get(node.input(1));
        Tensor c = node.input(2).isEmpty() ? null : constants.get(node.input(2));
        if (b == null || b.rank() != 2 || (!node.input(2).isEmpty() && c == null)) {
            return List.of(node);
        }
        Attributes attributes = node.attributes();
        double alpha = attributes.getFloat("alpha", 1.0);
        double beta = attributes.getFloat("beta", 1.0);
        boolean transB = attributes.getInt("transB", 0) != 0;
        Tensor weight = transB ? b : transpose2d(b);
        int outFeatures = weight.dim(0);
        double[] w = weight.asDoubles().clone();
        for (int i = 0; i < w.length; i++) {
            w[i] *= alpha;
        }
        double[] bias = new double[outFeatures];
        if (c != null) {
            double[] cs = c.asDoubles();
            if (cs.length != 1 && cs.length != outFeatures) {
                return List.of(node);
            }
            for (int n = 0; n < outFeatures; n++) {
                bias[n] = beta * cs[cs.length == 1 ? 0 : n];
            }
        }
        List<Node> result = new ArrayList<>();
        String input = node.input(0);
        if (attributes.getInt("transA", 0) != 0) {
            String transposed = node.name() + "_transposed_input";
            result.add(Node.of(node.name() + "_transposeA", "Transpose", List.of(input), List.of(transposed),
                    new Attributes(Map.of("perm", new long[] {1, 0}))));
            input = transposed;
        }
        result.add(dense(node.name(), input, node.output(), weight.type(), weight.shape(), w, bias, constants));
        return result;
    }

    private static Node biasAdd(Graph graph, Node matMul, Map<String, Tensor> constants, Map<String, Integer> uses) {
        if (uses.getOrDefault(matMul.output(), 0) != 1) {
            return null;
        }
        List<Node> consumers = graph.consumers(matMul.output());
        if (consumers.size() != 1 || !consumers.get(0).opType().equals("Add")) {
            return null;
        }
        Node add = consumers.get(0);
        String other = add.input(0).equals(matMul.output()) ? add.input(1) : add.input(0);
        return constants.containsKey(other) ? add : null;
    }

    private static Node matMul(Node node, Node biasAdd, Map<String, Tensor> constants) {
        Tensor weight = constants.get(node.input(1));
        if (weight == null || weight.rank() != 2 || constants.containsKey(node.input(0))) {
            return null;
        }
        int outFeatures = weight.dim(1);
        double[] bias = new double[outFeatures];
        String output = node.output();
        if (biasAdd != null) {
            String biasName = biasAdd.input(0).equals(node.output()) ? biasAdd.input(1) : biasAdd.input(0);
            Tensor biasTensor = constants.get(biasName);
            double[] values = biasTensor.asDoubles();
            boolean lastAxisOnly = biasTensor.rank() == 0 || biasTensor.dim(biasTensor.rank() - 1) == values.length;
            if (!lastAxisOnly || (values.length != 1 && values.length != outFeatures)) {
                return null;
            }
            for (int n = 0; n < outFeatures; n++) {
                bias[n] = values[values.length == 1 ? 0 : n];
            }
            output = biasAdd.output();
        }
        Tensor transposed = transpose2d(weight);
        return dense(node.name(), node.input(0), output, weight.type(), transposed.shape(), transposed.asDoubles(),
                bias, constants);
    }

    private static Node convWithBias(Node node, Map<String, Tensor> constants) {
        if (!node.input(2).isEmpty() || !constants.containsKey(node.input(1))) {
            return node;
        }
        Tensor weight = constants.get(node.input(1));
        String biasName = Names.unique(node.name() + ".bias", constants);
        constants.put(biasName, new Tensor(weight.type(), new int[] {weight.dim(0)}, new double[weight.dim(0)],
                null));
        return node.withInputs(List.of(node.input(0), node.input(1), biasName));
    }

    private static Node dense(String name, String input, String output, ElementType type, int[] weightShape,
            double[] weight, double[] bias, Map<String, Tensor> constants) {
        String weightName = Names.unique(name + ".dense_weight", constants);
        String biasName = Names.unique(name + ".dense_bias", constants);
        ElementType stored = type.isFloatingPoint() ? type : ElementType.FLOAT;
        constants.put(weightName, new Tensor(stored, weightShape.clone(), weight, null));
        constants.put(biasName, new Tensor(stored, new int[] {bias.length}, bias, null));
        return new Node(name, "Dense", Node.LRP_DOMAIN, List.of(input, weightName, biasName), List.of(output),
                Attributes.NONE);
    }


    /** The transpose of a 2-D tensor. */
    public static Tensor transpose2d(Tensor matrix) {
        int rows = matrix.dim(0);
        int cols = matrix.dim(1);
        double[] in = matrix.asDoubles();
        double[] out = new double[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return new Tensor(matrix.type().isFloatingPoint() ? matrix.type() : ElementType.FLOAT, new int[] {cols, rows},
                out, null);
    }
}
