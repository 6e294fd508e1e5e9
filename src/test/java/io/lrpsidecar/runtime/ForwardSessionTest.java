package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.CurveSettings;
import io.lrpsidecar.faithfulness.Estimate;
import io.lrpsidecar.faithfulness.FaithfulnessEvaluator;
import io.lrpsidecar.faithfulness.Order;
import io.lrpsidecar.faithfulness.RegionSpec;
import io.lrpsidecar.faithfulness.RowScores;
import io.lrpsidecar.faithfulness.SourceResult;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The forward-only session gives the explainer's logits, and drives faithfulness curves on the digits demo model. */
class ForwardSessionTest {
    private static final Path DEMO = Path.of("src/main/resources/demo");
    private static final RuntimeSettings ONE_THREAD = new RuntimeSettings(DeviceChoice.CPU, 1, 1);

    @Test
    void theForwardPassGivesTheExplainersLogits() {
        ExplainableModel model = ExplainableModel.load(DEMO.resolve("digits.onnx"));
        Tensor input = firstRows(Npy.read(DEMO.resolve("digits_holdout.npy")).tensor(), 40);
        try (ForwardSession forward = new ForwardSession(model, ONE_THREAD);
                CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                        new CompositeParser(file -> null).parse("epsilon"), InitMode.LOGIT), ONE_THREAD)) {
            double[][] logits = forward.logits(input);
            Explanation explanation = explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
            assertEquals(40, logits.length);
            assertArrayEquals(explanation.logits().doubles(), Arrays.stream(logits).flatMapToDouble(Arrays::stream)
                    .toArray(), 1e-5);
        }
    }

    @Test
    void relevanceOrdersBeatTheRandomControlOnHeldOutDigits() {
        ExplainableModel model = ExplainableModel.load(DEMO.resolve("digits.onnx"));
        Tensor input = firstRows(Npy.read(DEMO.resolve("digits_holdout.npy")).tensor(), 200);
        Map<String, Tensor> relevance = new LinkedHashMap<>();
        int[] targets = null;
        for (String spec : List.of("epsilon-gamma-box(low=0,high=1)", "gradient-x-input")) {
            try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model,
                    new CompositeParser(file -> null).parse(spec), InitMode.LOGIT), ONE_THREAD)) {
                Explanation explanation = explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
                relevance.put(spec, explanation.relevance());
                targets = explanation.targets();
            }
        }
        try (ForwardSession forward = new ForwardSession(model, ONE_THREAD)) {
            List<SourceResult> results = new FaithfulnessEvaluator(forward, new CurveSettings(20, RegionSpec.SINGLE,
                    new Baseline.Zero(), CurveSettings.DEFAULT_SEED, 4096)).evaluate(input, targets, relevance,
                    Set.of(Order.MORF, Order.LERF, Order.RANDOM));
            Map<String, Estimate> abpc = new LinkedHashMap<>();
            results.forEach(result -> abpc.put(result.name(), result.estimate(RowScores::abpc).orElseThrow()));
            assertTrue(abpc.get("random").covers(0), abpc.toString());
            assertTrue(abpc.get("epsilon-gamma-box(low=0,high=1)").low() > abpc.get("random").high(),
                    abpc.toString());
        }
    }

    private static Tensor firstRows(Tensor tensor, int rows) {
        int[] shape = tensor.shape().clone();
        int width = tensor.size() / shape[0];
        shape[0] = rows;
        return Tensor.of(shape, Arrays.copyOf(tensor.asDoubles(), rows * width));
    }
}
