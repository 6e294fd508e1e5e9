package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.RelevanceAssertions;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The compiled explainer's input: int64 token ids for a token model, checked against the model before ONNX Runtime
 * runs; floating-point values for every other model.
 */
class CompiledExplainerTokenInputTest {
    private static final RuntimeSettings CPU = new RuntimeSettings(DeviceChoice.CPU, 1, 1);
    private static final CompositeParser PARSER = new CompositeParser(file -> null);

    @Test
    void aTokenModelTakesInt64IdsAndGivesOneRelevanceValuePerToken() {
        ExplainableModel model = ExplainableModel.load(ReferenceCase.folder("text_transformer")
                .resolve("model.onnx"));
        Tensor ids = Npy.read(ReferenceCase.folder("text_transformer").resolve("input.npy")).tensor();
        Tensor rows = new Tensor(ids.type(), new int[] {4, 12}, null, Arrays.copyOf(ids.longs(), 48));
        Composite composite = PARSER.parse("attnlrp");
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                InitMode.LOGIT), model, CPU)) {
            assertTrue(explainer.tokenInput());
            Explanation compiled = explainer.explain(rows, new Target.Predicted(), InitMode.LOGIT);
            Explanation reference = new ReferenceExplainer(model, composite).explain(rows, new Target.Predicted(),
                    InitMode.LOGIT);
            assertArrayEquals(new int[] {4, 12}, compiled.relevance().shape());
            assertTrue(compiled.relevance().isFloatingPoint());
            RelevanceAssertions.assertRelativeL2(compiled.relevance(), reference.relevance(), 1e-4, "attnlrp");
            long[] outside = rows.longs().clone();
            outside[13] = 40;
            var refused = assertThrows(ModelLoadException.class, () -> explainer.explain(new Tensor(rows.type(),
                    rows.shape(), null, outside), new Target.Predicted(), InitMode.LOGIT));
            assertEquals("input row 1 holds token id 40 at position 1; expected ids in [0, 40)", refused.getMessage());
            var floats = assertThrows(IllegalArgumentException.class, () -> explainer.explain(Tensor.zeros(
                    new int[] {1, 12}), new Target.Predicted(), InitMode.LOGIT));
            assertEquals("this explainer takes int64 token ids as input 'input', found FLOAT values",
                    floats.getMessage());
        }
    }

    @Test
    void aFloatModelRefusesIntegersAndChecksInputsAgainstItsModel() {
        ExplainableModel model = ExplainableModel.load(ReferenceCase.folder("mlp_tabular").resolve("model.onnx"));
        int width = model.rowShape().get(0);
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                PARSER.parse("epsilon"), InitMode.LOGIT), model, CPU)) {
            assertFalse(explainer.tokenInput());
            var integers = assertThrows(IllegalArgumentException.class, () -> explainer.explain(Tensor.ofLongs(
                    new int[] {1, width}, new long[width]), new Target.Predicted(), InitMode.LOGIT));
            assertEquals("this explainer takes floating-point values as input 'input', found INT64 values",
                    integers.getMessage());
            double[] values = new double[width];
            values[2] = Double.NaN;
            var nan = assertThrows(ModelLoadException.class, () -> explainer.explain(Tensor.of(new int[] {1, width},
                    values), new Target.Predicted(), InitMode.LOGIT));
            assertEquals("input row 0 holds NaN at element 2; explanations need finite inputs", nan.getMessage());
        }
    }
}
