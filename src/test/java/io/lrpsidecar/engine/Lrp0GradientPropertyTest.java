package io.lrpsidecar.engine;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static io.lrpsidecar.engine.PropertySupport.LRP0;
import static io.lrpsidecar.engine.PropertySupport.explainer;
import static io.lrpsidecar.engine.PropertySupport.kind;
import static io.lrpsidecar.engine.PropertySupport.times;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.testing.RandomModels;
import io.lrpsidecar.testing.RandomModels.Options;
import io.lrpsidecar.testing.RandomModels.RandomModel;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LRP-0 and the gradient rules against an independent gradient: central finite differences of the reference forward
 * pass (double precision, step 1e-5, see {@link FiniteDifferences}).
 * <ul>
 *   <li>On ReLU networks with biases (BatchNorm only where it is merged into a Conv/Dense; max/average pools, residual
 *       sums, concatenations, pads and reshapes), LRP-0 with logit initialisation for the predicted class equals
 *       gradient x input of the target logit. (By induction from the output: the relevance at every layer output is
 *       that output times the gradient there, biases included; see {@link PropertySupport#LRP0} for the stabilizer.)
 *   <li>On the same networks, the built-in {@code gradient-x-input} (one-hot initialisation, a random class)
 *       equals gradient x input of that class's logit.</li>
 *   <li>On any generated network (also Sigmoid/Tanh/LeakyReLU, standalone BatchNorm, normalisation by constants),
 *       the built-in {@code gradient} equals the finite-difference gradient, which checks every backward kernel
 *       against its forward kernel.</li>
 * </ul>
 * Finite differences are exact for a piecewise-linear function unless a kink (a ReLU switching, a max-pool window
 * changing its maximum) lies within a step of the input. Such inputs are recognised, not tolerated: per coordinate,
 * the finite-difference error is estimated by how much the central difference changes when the step is halved and,
 * for piecewise-linear networks, by how much the forward and backward slopes differ (smooth networks: the step-halving
 * check only, as their slopes legitimately differ by O(h)); an input is used only if that estimate, in relative L2
 * over the compared quantity, is at most a tenth of the tolerance. Otherwise another input is drawn, at most 20 times.
 * Inputs with an all-zero gradient are redrawn too, so that no check passes vacuously (and a model that is dead for
 * every input is replaced by the next one of the seed's random stream, at most twice). The tolerance, 1e-6 relative
 * L2, is far above rounding (at most a few 1e-9 on these seeds) and far below any real discrepancy.
 */
class Lrp0GradientPropertyTest {
    private static final double TOLERANCE = 1e-6;
    /** The largest estimated finite-difference error (relative L2) an input may have: a tenth of the tolerance. */
    private static final double ERROR_BUDGET = TOLERANCE / 10;
    private static final int MAX_DRAWS = 20;
    private static final int MAX_MODELS = 3;

    static LongStream seeds() {
        return PropertySupport.seeds(2_000, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void lrp0AndGradientTimesInputEqualFiniteDifferenceGradientTimesInput(long seed) {
        Random random = new Random(seed);
        Sample sample = cleanSample(seed, random, Options.relu(kind(seed), true), LRP0, true, true);
        String what = sample.what();
        ExplainableModel explainable = sample.model();
        assertTrue(explainable.graph().nodes().stream().noneMatch(node -> node.opType().equals("BatchNormalization")),
                what + ": a BatchNorm was not merged, so LRP-0 is not gradient x input");
        ReferenceExplainer lrp0 = sample.explainer();
        int otherClass = sample.otherClass();
        double[] x = sample.input().doubles();
        int target = sample.differences().predicted();

        Explanation explanation = lrp0.explain(sample.input(), new Target.Predicted(), InitMode.LOGIT);
        assertEquals(target, explanation.targets()[0], what + ": predicted class");
        Tensor expected = Tensor.of(sample.input().shape(), times(x, sample.differences().gradient()[target]));
        assertRelativeL2(explanation.relevance(), expected, TOLERANCE,
                what + ": LRP-0 vs finite-difference gradient x input");

        Explanation gradientTimesInput = explainer(explainable, "gradient-x-input")
                .explain(sample.input(), new Target.ClassIndex(otherClass), InitMode.ONEHOT);
        Tensor expectedOther = Tensor.of(sample.input().shape(), times(x,
                sample.differences().gradient()[otherClass]));
        assertRelativeL2(gradientTimesInput.relevance(), expectedOther, TOLERANCE,
                what + ": gradient-x-input for class " + otherClass + " vs finite differences");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void gradientEqualsFiniteDifferencesOnAnyModel(long seed) {
        Random random = new Random(seed);
        Sample sample = cleanSample(seed, random, Options.everything(kind(seed)), "gradient", false, false);
        String what = sample.what();
        int targetClass = sample.otherClass();

        Explanation explanation = sample.explainer().explain(sample.input(), new Target.ClassIndex(targetClass),
                InitMode.ONEHOT);
        Tensor expected = Tensor.of(sample.input().shape(), sample.differences().gradient()[targetClass]);
        assertRelativeL2(explanation.relevance(), expected, TOLERANCE,
                what + ": gradient of class " + targetClass + " vs finite differences");
    }

    /**
     * The kink guard is live: for {@code logit_0 = relu(x - 0.5)} the finite differences at {@code x = 0.5 + h / 3}
     * (a kink within the step) are flagged by the slope check and by the step-halving check, while at {@code x = 0.7}
     * nothing is flagged and the derivative is exact.
     */
    @Test
    void kinkGuardFlagsAnInputNextToAReluKink() {
        Graph graph = new Graph("kink", 13, List.of(
                Node.of("hidden", "Gemm", List.of("input", "w", "b"), List.of("h"), Attributes.NONE),
                Node.of("relu", "Relu", List.of("h"), List.of("r"), Attributes.NONE),
                Node.of("head", "Gemm", List.of("r", "v"), List.of("logits"), Attributes.NONE)),
                Map.of("w", Tensor.of(new int[] {1, 1}, new double[] {1}), "b", Tensor.of(new int[] {1},
                        new double[] {-0.5}), "v", Tensor.of(new int[] {1, 2}, new double[] {1, -1})),
                List.of(new ValueInfo("input", ElementType.FLOAT, List.of(-1, 1))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, 2))), Map.of());
        ExplainableModel model = ExplainableModel.load(OnnxModelWriter.write(graph));
        ReferenceExplainer explainer = explainer(model, "gradient");

        FiniteDifferences.Result atKink = FiniteDifferences.at(explainer, model.logits(),
                Tensor.of(new int[] {1, 1}, new double[] {0.5 + FiniteDifferences.H / 3}));
        assertTrue(problem(atKink, 0, null, true) != null, "slope check missed the kink");
        assertTrue(problem(atKink, 0, null, false) != null, "step-halving check missed the kink");

        FiniteDifferences.Result smooth = FiniteDifferences.at(explainer, model.logits(),
                Tensor.of(new int[] {1, 1}, new double[] {0.7}));
        assertEquals(null, problem(smooth, 0, null, true));
        assertEquals(1, smooth.gradient()[0][0], 1e-9);
        assertEquals(-1, smooth.gradient()[1][0], 1e-9);
    }

    /**
     * A model, an explainer of it, an input row, its finite differences and a random class besides the predicted
     * one; {@code what} names the seed, the model, and which model and draw of the seed it was.
     */
    private record Sample(String what, ExplainableModel model, ReferenceExplainer explainer, int otherClass,
            Tensor input, FiniteDifferences.Result differences) {
    }

    /**
     * Builds a model and draws input rows until one has no kink within a step and a non-zero gradient, for the
     * predicted class and a random other class. A model for which no draw qualifies (in practice: a network that is
     * dead for every input, its logits constant) is replaced by the next one from the same random stream, at most
     * twice; the seed still determines everything.
     */
    private static Sample cleanSample(long seed, Random random, Options options, String composite,
            boolean piecewiseLinear, boolean timesInput) {
        StringBuilder rejected = new StringBuilder();
        for (int attempt = 0; attempt < MAX_MODELS; attempt++) {
            RandomModel model = RandomModels.build(random, options);
            String what = "seed " + seed + (attempt > 0 ? " model " + attempt : "") + " (" + model.describe() + ")";
            ExplainableModel explainable = model.load();
            ReferenceExplainer explainer = explainer(explainable, composite);
            int otherClass = random.nextInt(model.classes());
            rejected.append("\n").append(what);
            for (int draw = 0; draw < MAX_DRAWS; draw++) {
                Tensor input = model.randomInput(random, 1);
                FiniteDifferences.Result differences = FiniteDifferences.at(explainer, explainable.logits(), input);
                double[] weights = timesInput ? input.doubles() : null;
                String problem = problem(differences, differences.predicted(), weights, piecewiseLinear);
                if (problem == null) {
                    problem = problem(differences, otherClass, weights, piecewiseLinear);
                }
                if (problem == null) {
                    return new Sample(what + " draw " + draw, explainable, explainer, otherClass, input, differences);
                }
                rejected.append("\n  draw ").append(draw).append(": ").append(problem);
            }
        }
        throw new AssertionError("seed " + seed + ": no model and input without a kink within a step:" + rejected);
    }

    /**
     * Why the finite differences of class {@code k} are not trusted, or {@code null}: a zero gradient, or an estimated
     * finite-difference error (per coordinate the larger of the step-halving and, for piecewise-linear networks, the
     * slope mismatch) whose L2 norm exceeds a tenth of the tolerance relative to the gradient's. With {@code input},
     * both are taken of gradient x input, the quantity compared.
     */
    private static String problem(FiniteDifferences.Result differences, int k, double[] input,
            boolean piecewiseLinear) {
        double[] gradient = differences.gradient()[k];
        double norm = 0;
        double error = 0;
        for (int i = 0; i < gradient.length; i++) {
            double weight = input == null ? 1 : Math.abs(input[i]);
            double estimate = Math.max(differences.stepMismatch()[k][i],
                    piecewiseLinear ? differences.sideMismatch()[k][i] : 0) * weight;
            norm += gradient[i] * weight * gradient[i] * weight;
            error += estimate * estimate;
        }
        if (norm == 0) {
            return "class " + k + " has a zero gradient" + (input == null ? "" : " x input");
        }
        double relative = Math.sqrt(error / norm);
        if (relative > ERROR_BUDGET) {
            return "class " + k + ": a kink within a step, estimated finite-difference error " + relative;
        }
        return null;
    }
}
