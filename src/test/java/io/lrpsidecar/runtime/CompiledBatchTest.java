package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A batch gives the same relevance as each row alone, on the compiled explainer. */
class CompiledBatchTest {

    @Test
    void aBatchEqualsEachRowAlone() {
        ExplainableModel model = ExplainableModel.load(ReferenceCase.folder("cnn_digits").resolve("model.onnx"));
        Tensor input = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        int rows = input.dim(0);
        int width = input.size() / rows;
        for (String composite : CompositeParser.BUILT_INS) {
            String spec = composite.equals("epsilon-gamma-box") ? "epsilon-gamma-box(low=0,high=1)" : composite;
            try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                    new CompositeParser(file -> null).parse(spec), InitMode.LOGIT),
                    new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
                Explanation batch = explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
                for (int row = 0; row < rows; row++) {
                    Tensor single = Tensor.of(new int[] {1, 1, 8, 8},
                            Arrays.copyOfRange(input.doubles(), row * width, (row + 1) * width));
                    Explanation alone = explainer.explain(single, new Target.Predicted(), InitMode.LOGIT);
                    double[] expected = Arrays.copyOfRange(batch.relevance().doubles(), row * width,
                            (row + 1) * width);
                    double scale = Arrays.stream(expected).map(Math::abs).max().orElse(1);
                    assertArrayEquals(expected, alone.relevance().doubles(), 1e-6 * Math.max(scale, 1e-6),
                            spec + " row " + row);
                    assertEquals(batch.targets()[row], alone.targets()[0], spec + " row " + row);
                }
            }
        }
    }
}
