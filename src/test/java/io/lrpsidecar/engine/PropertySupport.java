package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.engine.rule.EpsilonRule;
import io.lrpsidecar.engine.rule.NormRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.testing.RandomModels.InputKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/** Shared vocabulary of the property tests: composites, seeds, and checks on explanations. */
final class PropertySupport {

    /**
     * LRP-0 as the brief states it: epsilon 0 on Conv/Dense, norm 0 on average pools and residual sums (pass on
     * activations, gradient on everything else, as in every composite). Where a divided value (a layer output) is
     * exactly 0 this gives {@code 0 / 0 = NaN}, as zennit does; with ReLU networks that happens often (a dead
     * average-pool window, a dead channel before GlobalAveragePool).
     */
    static final String LRP0_LITERAL = "linear=epsilon(0);avgpool=norm(0);sum=norm(0)";

    /**
     * LRP-0 with the stabilizer 1e-300 instead of 0. For every denominator {@code |z| > 1e-284}, {@code z + 1e-300}
     * rounds to {@code z}, so this is bit for bit {@link #LRP0_LITERAL} except that an exactly zero denominator gives
     * {@code 0 / 1e-300 = 0} instead of NaN (the relevance reaching a zero output is itself exactly 0 under LRP-0).
     * {@code Lrp0ConservationPropertyTest#tinyStabilizerIsLrp0WhereverLrp0IsDefined} checks that equivalence.
     */
    static final String LRP0 = "linear=epsilon(1e-300);avgpool=norm(1e-300);sum=norm(1e-300)";

    static final CompositeParser PARSER = new CompositeParser(file -> {
        throw new IllegalArgumentException("the property tests use no array files, asked for " + file);
    });

    private PropertySupport() {
    }

    /** {@code count} fixed seeds starting at {@code first}. */
    static LongStream seeds(long first, int count) {
        return LongStream.range(first, first + count);
    }

    /** Input kinds rotate with the seed so that every kind gets a third of the seeds. */
    static InputKind kind(long seed) {
        return InputKind.values()[(int) (seed % InputKind.values().length)];
    }

    static ReferenceExplainer explainer(ExplainableModel model, String composite) {
        return new ReferenceExplainer(model, PARSER.parse(composite));
    }

    /**
     * The nodes whose rule divides by the node's output (epsilon and norm rules) and whose output has an exact zero
     * for this input: where LRP-0 without a stabilizer is {@code 0 / 0}.
     */
    static List<String> zeroDenominators(ReferenceExplainer explainer, ExplainableModel model, Tensor input) {
        Map<String, Tensor> values = explainer.forward(input);
        List<String> zeros = new ArrayList<>();
        for (Node node : model.graph().nodes()) {
            Rule rule = explainer.rules().get(node.name());
            if (!(rule instanceof EpsilonRule) && !(rule instanceof NormRule)) {
                continue;
            }
            for (double value : values.get(node.output()).asDoubles()) {
                if (value == 0) {
                    zeros.add(node.name());
                    break;
                }
            }
        }
        return zeros;
    }

    /** Logits, input relevance and every ledger entry are finite. */
    static void assertFinite(Explanation explanation, String what) {
        assertAllFinite(explanation.logits().doubles(), what + ": logits");
        assertAllFinite(explanation.relevance().doubles(), what + ": input relevance");
        for (LedgerEntry entry : explanation.ledger()) {
            assertAllFinite(entry.relevanceIn(), what + ": ledger of " + entry.name() + " (" + entry.opType()
                    + ", " + entry.rule() + ") relevance in");
            assertAllFinite(entry.relevanceOut(), what + ": ledger of " + entry.name() + " (" + entry.opType()
                    + ", " + entry.rule() + ") relevance out");
        }
    }

    static void assertAllFinite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            int index = i;
            assertTrue(Double.isFinite(values[i]), () -> what + " has " + values[index] + " at " + index);
        }
    }

    /** The maximum of {@code |values|}. */
    static double maxAbs(double[] values) {
        double max = 0;
        for (double value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }

    /** The elementwise product. */
    static double[] times(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * b[i];
        }
        return out;
    }
}
