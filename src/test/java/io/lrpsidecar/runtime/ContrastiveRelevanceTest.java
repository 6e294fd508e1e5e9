package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.compiler.LedgerColumn;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explainer;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A contrastive explanation ("why the target rather than K") from one backward pass equals the explanation of the
 * target minus the explanation of K from two separate runs of the same engine, on the digits demo model (16
 * held-out rows, every rule family) and on the LXT text transformer with AttnLRP:
 * <ul>
 *   <li>reference engine (float64): within 1e-6 absolute, input relevance, initial relevance and every ledger sum;</li>
 *   <li>compiled engine (float32): within 4e-6 of the row's max |relevance|, about 32 units in the last place: an
 *       absolute 1e-6 is below float32's resolution for relevance of order 1 after a few dozen operations. A row
 *       where float32 cannot resolve even one class's relevance (off the float64 reference by more than 1e-4 of max
 *       |relevance|, as two of 16 digits are under epsilon-gamma-box) is left out, at most a fifth of the rows.</li>
 * </ul>
 * Both for a fixed K and for the runner-up; rows whose target is K are exactly 0.
 */
class ContrastiveRelevanceTest {
    private static final CompositeParser PARSER = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());
    private static final Path DEMO = Path.of("src", "main", "resources", "demo");
    private static final int ROWS = 16;
    private static final int FIXED_CONTRAST = 1;
    /** Compiled: 4e-6 of the row's max |relevance|, about 32 float32 units in the last place of the largest value. */
    private static final double FLOAT32_TOLERANCE = 4e-6;
    /**
     * A row where the compiled engine's own relevance (one class, no contrast) is off the float64 reference by more
     * than this fraction of max |relevance| is ill-conditioned in float32 (a stabilised division by a near-zero
     * {@code z}) and not compared; at most a fifth of the rows may be.
     */
    private static final double ILL_CONDITIONED = 1e-4;
    private static final RuntimeSettings CPU = new RuntimeSettings(DeviceChoice.CPU, 1, 1);

    static Stream<Arguments> cases() {
        Tensor digits = firstRows(Npy.read(DEMO.resolve("digits_holdout.npy")).tensor(), ROWS);
        Path text = ReferenceCase.folder("text_transformer");
        Tensor tokens = Npy.read(text.resolve("input.npy")).tensor();
        return Stream.of(
                Arguments.of("digits", DEMO.resolve("digits.onnx"), digits, "epsilon-plus-flat", InitMode.LOGIT),
                Arguments.of("digits", DEMO.resolve("digits.onnx"), digits, "epsilon-gamma-box(low=0,high=1)",
                        InitMode.LOGIT),
                Arguments.of("digits", DEMO.resolve("digits.onnx"), digits, "epsilon-alpha2-beta1", InitMode.LOGIT),
                Arguments.of("digits", DEMO.resolve("digits.onnx"), digits, "zplus", InitMode.LOGIT),
                Arguments.of("digits", DEMO.resolve("digits.onnx"), digits, "gradient-x-input", InitMode.LOGIT),
                Arguments.of("digits", DEMO.resolve("digits.onnx"), digits, "epsilon-plus-flat", InitMode.ONEHOT),
                Arguments.of("text_transformer", text.resolve("model.onnx"), tokens, "attnlrp", InitMode.LOGIT));
    }

    @ParameterizedTest(name = "reference {0} {3} {4}")
    @MethodSource("cases")
    void referenceContrastEqualsTheDifferenceOfTwoRuns(String name, Path modelFile, Tensor input, String spec,
            InitMode init) {
        ExplainableModel model = ExplainableModel.load(modelFile);
        Explainer explainer = new ReferenceExplainer(model, PARSER.parse(spec));
        for (Contrast against : contrasts()) {
            Comparison comparison = compare(explainer, input, against, init);
            comparison.assertRelevanceWithin(1e-6, name + " " + spec + " " + against);
            comparison.assertLedgerWithin(1e-6, name + " " + spec + " " + against);
        }
    }

    @ParameterizedTest(name = "compiled {0} {3} {4}")
    @MethodSource("cases")
    void compiledContrastEqualsTheDifferenceOfTwoRuns(String name, Path modelFile, Tensor input, String spec,
            InitMode init) {
        ExplainableModel model = ExplainableModel.load(modelFile);
        Composite composite = PARSER.parse(spec);
        try (CompiledExplainer explainer = new CompiledExplainer(ExplainerCompiler.compile(model, composite, init),
                model, CPU)) {
            Explainer reference = new ReferenceExplainer(model, composite);
            for (Contrast against : contrasts()) {
                Comparison compiled = compare(explainer, input, against, init);
                Comparison exact = compare(reference, input, against, init);
                int illConditioned = 0;
                for (int row = 0; row < compiled.contrastive().rows(); row++) {
                    double scale = exact.scale(row);
                    double float32Error = Math.max(maxDifference(compiled.target(), exact.target(), row),
                            maxDifference(compiled.contrast(), exact.contrast(), row));
                    if (float32Error > ILL_CONDITIONED * scale) {
                        illConditioned++;
                        continue;
                    }
                    compiled.assertRowWithin(row, FLOAT32_TOLERANCE * scale, 1e-6,
                            name + " " + spec + " " + against + " (max |rel| " + scale + ")");
                }
                assertTrue(illConditioned <= compiled.contrastive().rows() / 5, name + " " + spec + " " + against + ": " + illConditioned
                        + " rows where float32 itself is off the float64 reference by more than " + ILL_CONDITIONED
                        + " of max |rel|");
            }
        }
    }

    @Test
    void theRunnerUpIsTheLargestOtherLogitAndATargetEqualToTheContrastGivesZero() {
        ExplainableModel model = ExplainableModel.load(DEMO.resolve("digits.onnx"));
        Tensor input = firstRows(Npy.read(DEMO.resolve("digits_holdout.npy")).tensor(), ROWS);
        Explainer explainer = new ReferenceExplainer(model, PARSER.parse("epsilon-plus-flat"));
        Explanation runnerUp = explainer.explain(input, new Target.Contrastive(new Target.Predicted(),
                new Contrast.RunnerUp()), InitMode.LOGIT);
        double[][] logits = logitRows(runnerUp);
        for (int row = 0; row < ROWS; row++) {
            double[] sorted = logits[row].clone();
            Arrays.sort(sorted);
            assertEquals(sorted[sorted.length - 2], logits[row][runnerUp.contrasts()[row]], "row " + row);
            assertEquals(logits[row][runnerUp.targets()[row]] - sorted[sorted.length - 2],
                    runnerUp.initialRelevance()[row], 1e-12, "initial relevance s_t - s_K of row " + row);
        }

        int[] predicted = runnerUp.targets();
        Explanation self = explainer.explain(input, new Target.Contrastive(new Target.Predicted(),
                new Contrast.PerRow(predicted)), InitMode.LOGIT);
        for (int row = 0; row < ROWS; row++) {
            assertTrue(self.contrastIsTarget(row));
            assertEquals(0.0, self.initialRelevance()[row]);
            assertEquals(0.0, Arrays.stream(rowOf(self.relevance(), row)).map(Math::abs).max().orElseThrow());
            assertEquals(0.0, self.conservationError(row));
        }
    }

    @Test
    void aContrastOutsideTheClassesIsRefusedByBothEngines() {
        ExplainableModel model = ExplainableModel.load(DEMO.resolve("digits.onnx"));
        Tensor input = firstRows(Npy.read(DEMO.resolve("digits_holdout.npy")).tensor(), 2);
        Composite composite = PARSER.parse("epsilon-plus-flat");
        Target outside = new Target.Contrastive(new Target.Predicted(), new Contrast.Fixed(10));
        Target.TargetException reference = assertThrows(Target.TargetException.class,
                () -> new ReferenceExplainer(model, composite).explain(input, outside, InitMode.LOGIT));
        assertEquals("contrast class 10 is out of range: the model has 10 classes (0..9)", reference.getMessage());
        try (CompiledExplainer compiled = new CompiledExplainer(ExplainerCompiler.compile(model, composite,
                InitMode.LOGIT), model, CPU)) {
            assertEquals(reference.getMessage(), assertThrows(Target.TargetException.class,
                    () -> compiled.explain(input, outside, InitMode.LOGIT)).getMessage());
        }
    }

    /**
     * An explainer graph from before the {@code contrast} input (inputs {@code input} and {@code target} only; here
     * logits and relevance are the input itself, one ledger column its row sum) still runs, and refuses a contrastive
     * target with the reason instead of explaining without the contrast.
     */
    @Test
    void anExplainerCompiledBeforeTheContrastInputStillRuns() {
        Graph older = new Graph("lrp_explainer", 17, List.of(
                Node.of("logits", "Identity", List.of("input"), List.of("logits"), Attributes.NONE),
                Node.of("relevance", "Identity", List.of("input"), List.of("relevance"), Attributes.NONE),
                Node.of("ledger", "ReduceSum", List.of("input", "row_axis"), List.of("ledger"), Attributes.NONE),
                Node.of("ledger_out", "Identity", List.of("ledger"), List.of("ledger_out"), Attributes.NONE)),
                Map.of("row_axis", Tensor.ofLongs(new int[] {1}, new long[] {1})),
                List.of(new ValueInfo("input", ElementType.FLOAT, List.of(-1, 3)),
                        new ValueInfo("target", ElementType.INT64, List.of(-1))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 3)),
                        new ValueInfo("relevance", ElementType.FLOAT, List.of(-1, 3)),
                        new ValueInfo("ledger", ElementType.FLOAT, List.of(-1, 1)),
                        new ValueInfo("ledger_out", ElementType.FLOAT, List.of(-1, 1))), Map.of());
        CompiledModel compiled = new CompiledModel(older, List.of(new LedgerColumn("sum", "ReduceSum", "pass")),
                "epsilon", InitMode.LOGIT, 3);
        assertFalse(compiled.takesContrast());
        Tensor input = Tensor.of(new int[] {2, 3}, new double[] {1, 5, 2, -1, 0, 4});
        try (CompiledExplainer explainer = new CompiledExplainer(compiled, CPU)) {
            Explanation explanation = explainer.explain(input, new Target.Predicted(), InitMode.LOGIT);
            assertArrayEquals(new int[] {1, 2}, explanation.targets());
            assertArrayEquals(new int[] {Contrast.NONE, Contrast.NONE}, explanation.contrasts());
            assertArrayEquals(new double[] {5, 4}, explanation.initialRelevance());
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> explainer.explain(
                    input, new Target.Contrastive(new Target.Predicted(), new Contrast.RunnerUp()), InitMode.LOGIT));
            assertEquals("this explainer was compiled without the 'contrast' input, so it cannot explain against a "
                    + "contrast class; compile it again", refused.getMessage());
        }
    }

    private static Contrast[] contrasts() {
        return new Contrast[] {new Contrast.Fixed(FIXED_CONTRAST), new Contrast.RunnerUp()};
    }

    /** The contrastive run, and the two separate runs for the target and for the contrast class it resolved to. */
    private static Comparison compare(Explainer explainer, Tensor input, Contrast against, InitMode init) {
        Explanation contrastive = explainer.explain(input, new Target.Contrastive(new Target.Predicted(), against),
                init);
        int rows = contrastive.rows();
        int[] contrasts = contrastive.contrasts();
        assertEquals(rows, Arrays.stream(contrasts).filter(k -> k >= 0).count(), "every row has a contrast class");
        Explanation target = explainer.explain(input, new Target.Predicted(), init);
        Explanation contrast = explainer.explain(input, new Target.PerRow(Arrays.stream(contrasts).asLongStream()
                .toArray()), init);
        assertArrayEquals(target.targets(), contrastive.targets());
        return new Comparison(contrastive, target, contrast);
    }

    private record Comparison(Explanation contrastive, Explanation target, Explanation contrast) {
        /** Every row: {@code |contrastive - (target - contrast)|} at most {@code tolerance}, absolute. */
        void assertRelevanceWithin(double tolerance, String what) {
            for (int row = 0; row < contrastive.rows(); row++) {
                assertRowWithin(row, tolerance, 1e-12, what);
            }
        }

        /**
         * One row: relevance within {@code tolerance}, initial relevance {@code s_t - s_K} within
         * {@code initialTolerance} relative, and exactly 0 where the target is the contrast class.
         */
        void assertRowWithin(int row, double tolerance, double initialTolerance, String what) {
            double[] both = rowOf(contrastive.relevance(), row);
            double[] forTarget = rowOf(target.relevance(), row);
            double[] forContrast = rowOf(contrast.relevance(), row);
            double worst = 0;
            for (int i = 0; i < both.length; i++) {
                worst = Math.max(worst, Math.abs(both[i] - (forTarget[i] - forContrast[i])));
            }
            assertTrue(worst <= tolerance, what + " row " + row + ": |contrastive - (rel(t) - rel(K))| = " + worst
                    + ", allowed " + tolerance);
            assertTrue(scale(row) > 0, what + " row " + row + " has relevance");
            double expectedInitial = target.initialRelevance()[row] - contrast.initialRelevance()[row];
            assertEquals(expectedInitial, contrastive.initialRelevance()[row],
                    initialTolerance * Math.abs(target.initialRelevance()[row]), what + " initial of row " + row);
            if (contrastive.contrastIsTarget(row)) {
                assertEquals(0.0, Arrays.stream(both).map(Math::abs).max().orElseThrow(), what + " row " + row);
            }
        }

        /** The largest |relevance| of a row in the two separate runs. */
        double scale(int row) {
            return Math.max(Arrays.stream(rowOf(target.relevance(), row)).map(Math::abs).max().orElseThrow(),
                    Arrays.stream(rowOf(contrast.relevance(), row)).map(Math::abs).max().orElseThrow());
        }

        void assertLedgerWithin(double tolerance, String what) {
            for (int layer = 0; layer < contrastive.ledger().size(); layer++) {
                for (int row = 0; row < contrastive.rows(); row++) {
                    double in = target.ledger().get(layer).relevanceIn()[row]
                            - contrast.ledger().get(layer).relevanceIn()[row];
                    double out = target.ledger().get(layer).relevanceOut()[row]
                            - contrast.ledger().get(layer).relevanceOut()[row];
                    assertEquals(in, contrastive.ledger().get(layer).relevanceIn()[row], tolerance, what);
                    assertEquals(out, contrastive.ledger().get(layer).relevanceOut()[row], tolerance, what);
                }
            }
        }
    }

    private static double maxDifference(Explanation actual, Explanation expected, int row) {
        double[] a = rowOf(actual.relevance(), row);
        double[] b = rowOf(expected.relevance(), row);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static double[][] logitRows(Explanation explanation) {
        int classes = explanation.logits().dim(1);
        double[][] rows = new double[explanation.rows()][];
        for (int row = 0; row < rows.length; row++) {
            rows[row] = Arrays.copyOfRange(explanation.logits().doubles(), row * classes, (row + 1) * classes);
        }
        return rows;
    }

    private static double[] rowOf(Tensor tensor, int row) {
        int width = tensor.size() / tensor.dim(0);
        return Arrays.copyOfRange(tensor.asDoubles(), row * width, (row + 1) * width);
    }

    private static Tensor firstRows(Tensor tensor, int rows) {
        int[] shape = tensor.shape().clone();
        shape[0] = rows;
        int width = tensor.size() / tensor.dim(0);
        return Tensor.of(shape, Arrays.copyOf(tensor.asDoubles(), rows * width));
    }
}
