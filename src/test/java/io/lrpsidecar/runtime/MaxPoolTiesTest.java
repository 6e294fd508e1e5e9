package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.RelevanceAssertions;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tied maxima in a MaxPool window: the whole gradient goes to the first maximal element in row-major order, as in
 * PyTorch and the reference engine, both for tiling pools (routed without indices) and overlapping ones.
 */
class MaxPoolTiesTest {

    private static Graph pooled(long kernel, long stride) {
        return new Graph("ties", 13, List.of(
                Node.of("pool", "MaxPool", List.of("x"), List.of("p"), new Attributes(Map.of("kernel_shape",
                        new long[] {kernel, kernel}, "strides", new long[] {stride, stride}))),
                Node.of("flat", "Flatten", List.of("p"), List.of("f"), Attributes.NONE),
                Node.of("head", "Gemm", List.of("f", "W"), List.of("logits"), new Attributes(Map.of("transB", 1L)))),
                Map.of("W", Tensor.of(new int[] {2, stride == kernel ? 4 : 9},
                        stride == kernel ? new double[] {1, 2, 3, 4, -1, -2, -3, -4}
                                : new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7, -8, -9})),
                List.of(new ValueInfo("x", ElementType.FLOAT, List.of(-1, 1, 4, 4))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
    }

    @Test
    void tiedMaximaGiveEverythingToTheFirst() {
        double[] constant = new double[16];
        java.util.Arrays.fill(constant, 0.5);
        Tensor input = Tensor.of(new int[] {1, 1, 4, 4}, constant);
        for (long[] pool : new long[][] {{2, 2}, {2, 1}}) {
            ExplainableModel model = ExplainableModel.prepare(pooled(pool[0], pool[1]), true);
            for (String spec : List.of("gradient", "epsilon")) {
                var composite = new CompositeParser(file -> null).parse(spec);
                Explanation reference = new ReferenceExplainer(model, composite).explain(input,
                        new Target.ClassIndex(0), InitMode.ONEHOT);
                if (spec.equals("gradient") && pool[0] == pool[1]) {
                    double[] gradient = reference.relevance().doubles();
                    assertEquals(1.0, gradient[0], 1e-12, "the first of the tied window takes the whole gradient");
                    assertEquals(0.0, gradient[1] + gradient[4] + gradient[5], 1e-12, "the other tied elements");
                    assertEquals(2.0, gradient[2], 1e-12, "first of the second window");
                }
                try (CompiledExplainer compiled = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                        InitMode.ONEHOT), new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
                    Explanation actual = compiled.explain(input, new Target.ClassIndex(0), InitMode.ONEHOT);
                    RelevanceAssertions.assertRelativeL2(actual.relevance(), reference.relevance(), 1e-6,
                            spec + " pool " + pool[0] + "/" + pool[1]);
                }
            }
        }
    }
}
