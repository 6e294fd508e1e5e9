package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.testing.RandomModels;
import io.lrpsidecar.testing.RandomModels.InputKind;
import io.lrpsidecar.testing.RandomModels.Options;
import io.lrpsidecar.testing.RandomModels.RandomModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The random model builder the property tests rely on: every generated graph survives the ONNX round trip unchanged,
 * is accepted by the product's loading path (fold, canonicalize, merge, support check), runs forward to finite
 * logits of the promised shape, is reproducible from its seed, and the generated population covers every operator
 * configuration the builder promises (strided/padded/grouped/dilated convs, ceil-mode pools, residuals, ...).
 */
class RandomModelsTest {
    private static final int MODELS_PER_KIND = 60;

    /** Feature tags that must each appear in at least one model of the population below. */
    private static final Set<String> PROMISED = Set.of("conv2d", "conv1d", "conv.strided", "conv.padded",
            "conv.asymmetric_pads", "conv.grouped", "conv.depthwise", "conv.dilated", "conv.auto_pad",
            "conv.tied_weights", "maxpool", "maxpool.ceil", "maxpool.padded", "maxpool.dilated", "maxpool.odd",
            "avgpool", "avgpool.ceil", "avgpool.padded", "avgpool.count_include_pad", "avgpool.odd", "globalavgpool",
            "residual", "concat", "bn.after_conv", "bn.after_gemm", "bn.after_matmul", "bn.standalone",
            "bn.after_rank3_matmul", "flatten", "reshape", "squeeze", "unsqueeze", "transpose", "pad", "identity",
            "dropout", "gemm.transB", "gemm.noTransB", "gemm.alpha", "gemm.beta", "matmul", "matmul_add",
            "matmul.rank3", "matmul.rank4", "input.scaling", "relu", "leakyrelu", "sigmoid", "tanh", "softmax");

    @Test
    void everyGeneratedModelRoundTripsLoadsAndRuns() {
        Set<String> seen = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (InputKind kind : InputKind.values()) {
            for (int index = 0; index < MODELS_PER_KIND; index++) {
                long seed = 7_000L + 1_000L * kind.ordinal() + index;
                Options options = switch (index % 4) {
                    case 0, 1 -> Options.everything(kind);
                    case 2 -> Options.relu(kind, index % 8 == 2);
                    default -> Options.biasFreeRelu(kind);
                };
                try {
                    RandomModel model = RandomModels.build(new Random(seed), options);
                    checkModel(seed, model);
                    seen.addAll(model.features());
                } catch (RuntimeException | AssertionError e) {
                    failures.add("seed " + seed + " " + kind + ": " + e + " at "
                            + Arrays.toString(Arrays.copyOf(e.getStackTrace(), 4)));
                }
            }
        }
        Set<String> missing = new TreeSet<>(PROMISED);
        missing.removeAll(seen);
        assertTrue(failures.isEmpty(), failures.size() + " generated models failed:\n" + String.join("\n", failures)
                + "\n(missing features: " + missing + ")");
        assertTrue(missing.isEmpty(), "the generated population never contains " + missing + "; seen " + seen);
    }

    @Test
    void sameSeedGivesTheSameModel() {
        for (InputKind kind : InputKind.values()) {
            long seed = 42 + kind.ordinal();
            RandomModel first = RandomModels.build(new Random(seed), Options.everything(kind));
            RandomModel second = RandomModels.build(new Random(seed), Options.everything(kind));
            assertTrue(Arrays.equals(first.onnx(), second.onnx()), "seed " + seed + ": builds differ");
        }
    }

    private static void checkModel(long seed, RandomModel model) {
        String what = "seed " + seed + " (" + model.describe() + ")";
        Graph read = OnnxModelReader.read(model.onnx());
        assertEquals(describe(model.graph()), describe(read), what + ": graph changed in the ONNX round trip");
        assertEquals(model.graph().initializers(), read.initializers(), what + ": initializers changed");

        ExplainableModel explainable = model.load();
        CompositeParser parser = new CompositeParser(file -> {
            throw new AssertionError("no files");
        });
        ReferenceExplainer explainer = new ReferenceExplainer(explainable, parser.parse("gradient"));
        Tensor input = model.randomInput(new Random(seed), 3);
        Tensor logits = explainer.forward(input).get(explainable.logits());
        assertTrue(Arrays.equals(new int[] {3, model.classes()}, logits.shape()),
                what + ": logits shape " + Arrays.toString(logits.shape()));
        for (double value : logits.doubles()) {
            assertTrue(Double.isFinite(value), what + ": non-finite logit");
        }
    }

    private static String describe(Graph graph) {
        StringBuilder text = new StringBuilder();
        for (Node node : graph.nodes()) {
            text.append(node.name()).append(' ').append(node.opType()).append(node.inputs()).append(node.outputs())
                    .append(node.attributes()).append('\n');
        }
        return text.append(graph.inputs()).append(graph.outputs()).toString();
    }
}
