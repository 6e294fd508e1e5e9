package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import org.junit.jupiter.api.Test;

/** Splitting a batch changes nothing: rows are explained independently. */
class BatchedExplainerTest {

    @Test
    void batchesOfAnySizeGiveTheSameExplanationAsOneBatch() {
        ExplainableModel model = ExplainableModel.load(ReferenceCase.folder("cnn_digits").resolve("model.onnx"));
        ReferenceExplainer explainer = new ReferenceExplainer(model,
                new CompositeParser(file -> null).parse("epsilon-gamma-box(low=0,high=1)"));
        Tensor input = Npy.read(ReferenceCase.folder("cnn_digits").resolve("input.npy")).tensor();
        long[] labels = Npy.read(ReferenceCase.folder("cnn_digits").resolve("labels.npy")).tensor().asLongs();
        Explanation whole = explainer.explain(input, new Target.PerRow(labels), InitMode.LOGIT);

        for (int batchSize : new int[] {1, 5, 24}) {
            Explanation batched = new BatchedExplainer(explainer, batchSize)
                    .explain(input, new Target.PerRow(labels), InitMode.LOGIT);
            assertArrayEquals(whole.relevance().doubles(), batched.relevance().doubles(), 0.0);
            assertArrayEquals(whole.targets(), batched.targets());
            assertArrayEquals(whole.logits().doubles(), batched.logits().doubles(), 0.0);
            assertEquals(whole.ledger().size(), batched.ledger().size());
            for (int layer = 0; layer < whole.ledger().size(); layer++) {
                assertArrayEquals(whole.ledger().get(layer).relevanceIn(),
                        batched.ledger().get(layer).relevanceIn(), 0.0);
                assertArrayEquals(whole.ledger().get(layer).relevanceOut(),
                        batched.ledger().get(layer).relevanceOut(), 0.0);
            }
        }
    }
}
