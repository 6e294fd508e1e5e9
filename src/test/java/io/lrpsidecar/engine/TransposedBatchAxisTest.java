package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.runtime.CompiledExplainer;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A Gemm with {@code transA = 1} reads an activation whose batch lies on axis 1; the ledger still sums per batch
 * element (regression: it summed along axis 0 and failed for batches larger than the feature count).
 */
class TransposedBatchAxisTest {

    private static Graph transposedGemm() {
        Random random = new Random(9);
        double[] weight = new double[4 * 3];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = random.nextGaussian();
        }
        return new Graph("transA", 13, List.of(
                Node.of("t", "Transpose", List.of("x"), List.of("xt"), new Attributes(Map.of("perm",
                        new long[] {1, 0}))),
                Node.of("relu", "Relu", List.of("xt"), List.of("h"), Attributes.NONE),
                Node.of("fc", "Gemm", List.of("h", "W"), List.of("logits"), new Attributes(Map.of("transA", 1L)))),
                Map.of("W", Tensor.of(new int[] {4, 3}, weight)),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 3))), Map.of());
    }

    @Test
    void ledgerRowsFollowTheBatchAxis() {
        ExplainableModel model = ExplainableModel.prepare(transposedGemm(), true);
        Random random = new Random(2);
        double[] values = new double[5 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        Tensor input = Tensor.of(new int[] {5, 4}, values);
        var composite = new CompositeParser(file -> null).parse("epsilon(1e-9)");
        Explanation reference = new ReferenceExplainer(model, composite).explain(input, new Target.Predicted(),
                InitMode.LOGIT);
        for (int row = 0; row < 5; row++) {
            for (LedgerEntry layer : reference.ledger()) {
                assertEquals(reference.relevanceSum(row), layer.relevanceOut()[row], 1e-6,
                        layer.name() + " row " + row + " (all layers conserve here)");
            }
        }
        try (CompiledExplainer compiled = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                InitMode.LOGIT), new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
            Explanation actual = compiled.explain(input, new Target.Predicted(), InitMode.LOGIT);
            for (int row = 0; row < 5; row++) {
                for (int layer = 0; layer < actual.ledger().size(); layer++) {
                    assertEquals(reference.ledger().get(layer).relevanceIn()[row],
                            actual.ledger().get(layer).relevanceIn()[row], 1e-4, "compiled ledger row " + row);
                }
                assertEquals(reference.relevanceSum(row), actual.relevanceSum(row), 1e-4);
            }
        }
    }
}
