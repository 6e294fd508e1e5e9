package io.lrpsidecar.runtime;

import static io.lrpsidecar.RelevanceAssertions.relativeL2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.testing.RandomTransformers;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled explainer (float32 on ONNX Runtime) computes what the reference computes on transformers: every LXT
 * reference file row by row within 1e-4 (except the manifest's float32-sensitive rows), and AttnLRP, CP-LRP and
 * gradient x input on random transformer stacks (tokens with masks or features, 1-4 heads, depth 1-3, pre/post-norm,
 * decomposed or fused LayerNorm) within relative L2 1e-4. As in {@code CompiledPropertyTest}, float-input cases whose
 * double-precision relevance moves by more than 1e-4 under a 1e-6 input perturbation are ill-conditioned and not
 * compared; at most a fifth may be.
 */
class CompiledTransformersTest {
    private static final CompositeParser PARSER = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());
    private static final int MODELS = 40;
    private static final AtomicInteger COMPARED = new AtomicInteger();
    private static final AtomicInteger ILL_CONDITIONED = new AtomicInteger();

    @TempDir
    Path work;

    static Stream<ReferenceCase> lxtCases() {
        return ReferenceCase.transformers();
    }

    static LongStream seeds() {
        return LongStream.range(70_000, 70_000 + MODELS);
    }

    @AfterAll
    static void mostRandomStacksAreCompared() {
        System.out.printf("random transformers: %d compared, %d ill-conditioned%n", COMPARED.get(),
                ILL_CONDITIONED.get());
        assertTrue(ILL_CONDITIONED.get() <= COMPARED.get() / 4, ILL_CONDITIONED + " ill-conditioned of "
                + (COMPARED.get() + ILL_CONDITIONED.get()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lxtCases")
    void compiledMatchesLxtRowByRow(ReferenceCase referenceCase) {
        ExplainableModel model = ExplainableModel.load(referenceCase.modelFile());
        Composite composite = PARSER.parse(referenceCase.compositeSpec(work));
        Tensor input = Npy.read(referenceCase.inputFile()).tensor();
        Set<Integer> sensitive = new HashSet<>();
        if (referenceCase.result().has("float32_sensitive_rows")) {
            referenceCase.result().get("float32_sensitive_rows").forEach(row -> sensitive.add(row.asInt()));
        }
        try (CompiledExplainer compiled = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                InitMode.ONEHOT), new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
            Explanation explanation = compiled.explain(input, referenceCase.target(), InitMode.ONEHOT);
            Tensor expected = referenceCase.expectedRelevance();
            assertEquals(Arrays.toString(expected.shape()), Arrays.toString(explanation.relevance().shape()));
            int rows = expected.dim(0);
            int width = expected.size() / rows;
            for (int row = 0; row < rows; row++) {
                if (sensitive.contains(row)) {
                    continue;
                }
                double distance = relativeL2(
                        Arrays.copyOfRange(explanation.relevance().asDoubles(), row * width, (row + 1) * width),
                        Arrays.copyOfRange(expected.asDoubles(), row * width, (row + 1) * width));
                assertTrue(distance <= 1e-4, referenceCase + " row " + row + ": relative L2 " + distance);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void compiledEqualsReferenceOnRandomStacks(long seed) {
        Random random = new Random(seed);
        RandomTransformers.Options options = RandomTransformers.Options.random(random);
        RandomTransformers built = RandomTransformers.build(random, options);
        ExplainableModel model = ExplainableModel.prepare(built.graph(), true);
        Tensor input = built.randomInput(random, 3);
        for (String spec : new String[] {"attnlrp", "cp-lrp", "gradient-x-input"}) {
            String what = "seed " + seed + ", " + spec + " (" + options + ")";
            Composite composite = PARSER.parse(spec);
            ReferenceExplainer reference = new ReferenceExplainer(model, composite);
            Explanation expected = reference.explain(input, new Target.Predicted(), InitMode.ONEHOT);
            if (!built.tokens() && illConditioned(reference, expected, input, seed)) {
                ILL_CONDITIONED.incrementAndGet();
                continue;
            }
            try (CompiledExplainer compiled = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                    InitMode.ONEHOT), new RuntimeSettings(DeviceChoice.CPU, 1, 1))) {
                Explanation actual = compiled.explain(input, new Target.Predicted(), InitMode.ONEHOT);
                double distance = relativeL2(actual.relevance().asDoubles(), expected.relevance().asDoubles());
                assertTrue(distance <= 1e-4, what + ": relative L2 " + distance);
            }
            COMPARED.incrementAndGet();
        }
    }

    private static boolean illConditioned(ReferenceExplainer explainer, Explanation reference, Tensor input,
            long seed) {
        Random noise = new Random(seed ^ 0x5DEECE66DL);
        double[] values = input.doubles().clone();
        for (int i = 0; i < values.length; i++) {
            values[i] *= 1 + 1e-6 * (noise.nextBoolean() ? 1 : -1);
        }
        Explanation perturbed = explainer.explain(Tensor.of(input.shape(), values),
                new Target.PerRow(Arrays.stream(reference.targets()).asLongStream().toArray()), InitMode.ONEHOT);
        return relativeL2(perturbed.relevance().doubles(), reference.relevance().doubles()) > 1e-4;
    }
}
