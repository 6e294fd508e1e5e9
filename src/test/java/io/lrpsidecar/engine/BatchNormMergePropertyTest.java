package io.lrpsidecar.engine;

import static io.lrpsidecar.RelevanceAssertions.relativeL2;
import static io.lrpsidecar.engine.PropertySupport.explainer;
import static io.lrpsidecar.engine.PropertySupport.kind;
import static io.lrpsidecar.engine.PropertySupport.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.testing.RandomModels;
import io.lrpsidecar.testing.RandomModels.BatchNorms;
import io.lrpsidecar.testing.RandomModels.Options;
import io.lrpsidecar.testing.RandomModels.RandomModel;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Merging BatchNormalization into the preceding Conv/Dense layer does not change the function. For random models
 * with BatchNorm after Conv, Gemm and MatMul layers (every even seed: ReLU networks with only such BatchNorms; every
 * odd seed: anything, so also standalone BatchNorms, including one over the channels of a rank-3 MatMul output,
 * which is not the dense layer's feature axis), the graph read from ONNX is prepared with and without merging and:
 * <ul>
 *   <li>exactly the BatchNorms that directly follow a Conv/Gemm/MatMul read by nothing else are merged (at least one
 *       per model), and the others stay;</li>
 *   <li>the logits agree within 1e-9 of the largest logit magnitude, for a batch of random inputs;</li>
 *   <li>the input gradient of a random class agrees within 1e-9 relative L2 (merging changes LRP rules' inputs, but
 *       never the gradient).</li>
 * </ul>
 */
class BatchNormMergePropertyTest {
    private static final double TOLERANCE = 1e-9;
    private static final int ROWS = 4;

    static LongStream seeds() {
        return PropertySupport.seeds(3_000, 40);
    }

    static Options options(long seed) {
        return seed % 2 == 0 ? Options.relu(kind(seed / 2), true)
                : Options.everything(kind(seed / 2)).withBatchNorms(BatchNorms.ANYWHERE);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mergedAndUnmergedModelsComputeTheSameFunction(long seed) {
        Random random = new Random(seed);
        RandomModel model = RandomModels.build(random, options(seed));
        String what = "seed " + seed + " (" + model.describe() + ")";
        Graph raw = OnnxModelReader.read(model.onnx());
        ExplainableModel merged = ExplainableModel.prepare(raw, true);
        ExplainableModel unmerged = ExplainableModel.prepare(raw, false);

        assertFalse(merged.mergedBatchNorms().isEmpty(), what + ": no BatchNorm was merged");
        assertEquals(model.mergeableBatchNorms(), merged.mergedBatchNorms().keySet(), what + ": merged BatchNorms");
        assertTrue(unmerged.mergedBatchNorms().isEmpty(), what + ": merged although merging was off");
        assertEquals(count(raw, "BatchNormalization"), count(unmerged.graph(), "BatchNormalization"),
                what + ": BatchNorms of the unmerged graph");
        assertEquals(count(raw, "BatchNormalization") - model.mergeableBatchNorms().size(),
                count(merged.graph(), "BatchNormalization"), what + ": BatchNorms left in the merged graph");

        Tensor input = model.randomInput(random, ROWS);
        double[] mergedLogits = explainer(merged, "gradient").forward(input).get(merged.logits()).doubles();
        double[] unmergedLogits = explainer(unmerged, "gradient").forward(input).get(unmerged.logits()).doubles();
        double scale = maxAbs(unmergedLogits);
        assertTrue(scale > 0, what + ": all logits are zero");
        for (int i = 0; i < mergedLogits.length; i++) {
            double difference = Math.abs(mergedLogits[i] - unmergedLogits[i]);
            assertTrue(difference <= TOLERANCE * scale, what + ": logit " + i + " (row " + i / model.classes()
                    + ") is " + mergedLogits[i] + " merged and " + unmergedLogits[i] + " unmerged");
        }

        Target target = new Target.ClassIndex(random.nextInt(model.classes()));
        Tensor mergedGradient = explainer(merged, "gradient").explain(input, target, InitMode.ONEHOT).relevance();
        Tensor unmergedGradient = explainer(unmerged, "gradient").explain(input, target, InitMode.ONEHOT)
                .relevance();
        double distance = relativeL2(mergedGradient.doubles(), unmergedGradient.doubles());
        assertTrue(distance <= TOLERANCE, what + ": input gradients differ by relative L2 " + distance);
    }

    /** The seeds above place BatchNorms after convolutions, after Gemm and after MatMul, and standalone. */
    @Test
    void theSeedsCoverEveryPlacement() {
        Set<String> seen = new TreeSet<>();
        for (long seed : seeds().toArray()) {
            seen.addAll(RandomModels.build(new Random(seed), options(seed)).features());
        }
        assertTrue(seen.containsAll(Set.of("bn.after_conv", "bn.after_gemm", "bn.after_matmul", "bn.standalone",
                "bn.after_rank3_matmul", "conv.tied_weights")), "BatchNorm placements seen: " + seen);
    }

    private static long count(Graph graph, String opType) {
        return graph.nodes().stream().filter(node -> node.opType().equals(opType)).count();
    }
}
