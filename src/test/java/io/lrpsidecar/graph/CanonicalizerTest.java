package io.lrpsidecar.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Gemm in all its attribute forms and MatMul + Add become the same canonical Dense layer. */
class CanonicalizerTest {
    private static final int IN = 4;
    private static final int OUT = 3;

    private static Graph single(Node node, Map<String, Tensor> initializers, String output) {
        return new Graph("g", 13, List.of(node), initializers,
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, IN))),
                List.of(new ValueInfo(output, ElementType.FLOAT, List.of(-1, OUT))), Map.of());
    }

    private static double[] logits(Graph graph, Tensor input) {
        ExplainableModel model = ExplainableModel.prepare(graph, true);
        assertEquals("Dense", model.graph().nodes().get(model.graph().nodes().size() - 1).opType());
        return new ReferenceExplainer(model, new CompositeParser(file -> null).parse("epsilon"))
                .forward(input).get(model.logits()).doubles();
    }

    @Test
    void gemmAttributesAndMatMulAddAgreeWithTheOnnxDefinition() {
        Random random = new Random(3);
        double[] w = new double[IN * OUT];
        double[] c = new double[OUT];
        double[] x = new double[2 * IN];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextGaussian();
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = random.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        double alpha = 0.5;
        double beta = 2.0;
        Tensor weightKn = Tensor.of(new int[] {IN, OUT}, w);
        Tensor weightNk = Canonicalizer.transpose2d(weightKn);
        Tensor bias = Tensor.of(new int[] {OUT}, c);
        Tensor input = Tensor.of(new int[] {2, IN}, x);
        double[] expected = new double[2 * OUT];
        for (int row = 0; row < 2; row++) {
            for (int n = 0; n < OUT; n++) {
                double sum = 0;
                for (int k = 0; k < IN; k++) {
                    sum += x[row * IN + k] * w[k * OUT + n];
                }
                expected[row * OUT + n] = alpha * sum + beta * c[n];
            }
        }
        Attributes scaled = new Attributes(Map.of("alpha", alpha, "beta", beta));
        double[] gemm = logits(single(Node.of("fc", "Gemm", List.of("x", "W", "C"), List.of("y"), scaled),
                Map.of("W", weightKn, "C", bias), "y"), input);
        double[] gemmTransB = logits(single(Node.of("fc", "Gemm", List.of("x", "W", "C"), List.of("y"),
                scaled.with("transB", 1L)), Map.of("W", weightNk, "C", bias), "y"), input);
        Graph matMulAdd = new Graph("g", 13, List.of(
                Node.of("mm", "MatMul", List.of("x", "W"), List.of("h"), Attributes.NONE),
                Node.of("bias", "Add", List.of("h", "C"), List.of("y"), Attributes.NONE)),
                Map.of("W", weightKn, "C", bias),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, IN))),
                List.of(new ValueInfo("y", ElementType.FLOAT, List.of(-1, OUT))), Map.of());
        double[] matMul = logits(matMulAdd, input);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], gemm[i], 1e-12, "Gemm");
            assertEquals(expected[i], gemmTransB[i], 1e-12, "Gemm transB");
            assertEquals((expected[i] - beta * c[i % OUT]) / alpha + c[i % OUT], matMul[i], 1e-12, "MatMul + Add");
        }
        assertEquals(1, ExplainableModel.prepare(matMulAdd, true).graph().nodes().size(), "the Add became the bias");
    }
}
