package io.lrpsidecar.engine.composite;

import io.lrpsidecar.engine.rule.CompositeSpecException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.rule.BilinearRule;
import io.lrpsidecar.engine.rule.EpsilonRule;
import io.lrpsidecar.engine.rule.LayerNormRule;
import io.lrpsidecar.engine.rule.NodeView;
import io.lrpsidecar.engine.rule.OpKind;
import io.lrpsidecar.engine.rule.SoftmaxRule;
import io.lrpsidecar.engine.rule.FlatRule;
import io.lrpsidecar.engine.rule.GammaRule;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.NormRule;
import io.lrpsidecar.engine.rule.PassRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.engine.rule.ZBoxRule;
import io.lrpsidecar.engine.rule.ZPlusRule;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The composite spec syntax: built-ins, parameters, custom maps, node overrides and their errors. */
class CompositeParserTest {
    private final CompositeParser parser = new CompositeParser(file -> Tensor.of(new int[] {1, 2},
            new double[] {-1, 2}));
    private final ExplainableModel digits = ExplainableModel.load(ReferenceCase.folder("cnn_digits")
            .resolve("model.onnx"));

    @Test
    void epsilonPlusFlatOnTheDigitsCnnAssignsZennitsRules() {
        Map<String, Rule> rules = parser.parse("epsilon-plus-flat").assign(digits.views());
        assertEquals(new FlatRule(1e-6), rules.get("/conv1/Conv"));
        assertEquals(new ZPlusRule(1e-6), rules.get("/conv2/Conv"));
        assertEquals(new EpsilonRule(1e-6), rules.get("/fc1/Gemm"));
        assertEquals(new EpsilonRule(1e-6), rules.get("/fc2/Gemm"));
        assertEquals(new PassRule(), rules.get("/relu2/Relu"));
        assertEquals(new NormRule(1e-6), rules.get("/pool2/AveragePool"));
        assertEquals(new GradientRule(), rules.get("/pool1/MaxPool"));
        assertEquals(new GradientRule(), rules.get("/flatten/Flatten"));
    }

    @Test
    void builtInParametersUseTheSharedSyntaxAndGiveCanonicalSpecs() {
        Composite composite = parser.parse("epsilon-gamma-box(high=1, low=0, gamma=0.5)");
        assertEquals("epsilon-gamma-box(epsilon=1e-6,gamma=0.5,high=1,low=0,stabilizer=1e-6)", composite.spec());
        assertEquals(composite.spec(), parser.parse(composite.spec()).spec(), "the canonical spec parses to itself");
        assertEquals("epsilon(epsilon=0.001,stabilizer=1e-6)", parser.parse("epsilon(1e-3)").spec());
        Map<String, Rule> rules = composite.assign(digits.views());
        assertInstanceOf(ZBoxRule.class, rules.get("/conv1/Conv"));
        assertEquals(new GammaRule(0.5, 1e-6), rules.get("/conv2/Conv"));
    }

    @Test
    void attnLrpTakesOverridesPerKindAndOpTypeAndCpLrpHoldsTheSoftmax() {
        ExplainableModel text = ExplainableModel.load(ReferenceCase.folder("text_transformer").resolve("model.onnx"));
        Composite attnLrp = parser.parse("attnlrp");
        Map<String, Rule> rules = attnLrp.assign(text.views(attnLrp));
        assertEquals(new EpsilonRule(1e-6, Stabilizer.LXT), rules.get("/head/Gemm"));
        assertEquals(new BilinearRule(1e-8), rules.get("/blocks.0/MatMul"));
        assertEquals(new SoftmaxRule(), rules.get("/blocks.0/Softmax"));
        assertEquals(new NormRule(1e-8, Stabilizer.LXT), rules.get("/blocks.0/Add_1"));
        assertTrue(rules.values().stream().anyMatch(rule -> rule instanceof LayerNormRule));

        Composite custom = parser.parse("attnlrp;dense=gamma(0.25);op:Softmax=gradient");
        assertEquals("attnlrp;dense=gamma(gamma=0.25,stabilizer=1e-6);op:Softmax=gradient", custom.spec());
        assertEquals(custom.spec(), parser.parse(custom.spec()).spec(), "the canonical spec parses to itself");
        Map<String, Rule> overridden = custom.assign(text.views(custom));
        assertEquals(new GammaRule(0.25, 1e-6), overridden.get("/head/Gemm"));
        assertEquals(new GradientRule(), overridden.get("/blocks.0/Softmax"));
        assertEquals(new BilinearRule(1e-8), overridden.get("/blocks.0/MatMul"));

        Composite cpLrp = parser.parse("cp-lrp");
        assertEquals(Set.of(OpKind.SOFTMAX), cpLrp.held());
        Map<String, NodeView> held = text.views(cpLrp);
        assertEquals(OpKind.DENSE, held.get("/blocks.0/MatMul_1").kind(), "A V with A held is linear in V");
        assertEquals(Set.of(OpKind.SOFTMAX), parser.parse("attnlrp;hold=softmax").held());
        CompositeSpecException unknown = assertThrows(CompositeSpecException.class,
                () -> parser.parse("attnlrp;hold=attention"));
        assertTrue(unknown.getMessage().contains("unknown key 'attention'"), unknown.getMessage());
        assertThrows(CompositeSpecException.class, () -> parser.parse("dense=gamma(0.25);attnlrp"));
    }

    @Test
    void aBuiltInWithParametersTakesOverridesToo() {
        Composite composite = parser.parse("epsilon-gamma-box(low=0,high=1);node:/fc1/Gemm=epsilon(0.1)");

        assertTrue(composite.spec().startsWith("epsilon-gamma-box(epsilon=1e-6,gamma=0.25,high=1,low=0,"),
                composite.spec());
        assertEquals(new EpsilonRule(0.1), composite.nodeRules().get("/fc1/Gemm"));
        assertTrue(composite.firstRule() instanceof ZBoxRule, "the zbox first layer of the built-in stays");
        assertEquals(composite.spec(), parser.parse(composite.spec()).spec(), "the canonical spec parses to itself");
    }

    @Test
    void customSpecsMapKindsAndOverrideSingleNodes() {
        Composite composite = parser.parse(
                "first=zbox(low=@low.npy,high=3);conv=gamma(0.25);dense=epsilon(1e-6);node:/fc2/Gemm=epsilon(0.1)");
        Map<String, Rule> rules = composite.assign(digits.views());
        ZBoxRule zBox = assertInstanceOf(ZBoxRule.class, rules.get("/conv1/Conv"));
        assertTrue(zBox.low().spec().matches("@low\\.npy#[0-9a-f]{8}"), zBox.low().spec());
        assertEquals(new GammaRule(0.25, 1e-6), rules.get("/conv2/Conv"));
        assertEquals(new EpsilonRule(1e-6), rules.get("/fc1/Gemm"));
        assertEquals(new EpsilonRule(0.1), rules.get("/fc2/Gemm"));
        assertEquals(new PassRule(), rules.get("/relu1/Relu"), "activations keep zennit's base map");
        assertTrue(composite.spec().endsWith(";node:/fc2/Gemm=epsilon(epsilon=0.1)"), composite.spec());
    }

    @Test
    void unassignedLinearLayersGetThePlainGradientAsInZennit() {
        Map<String, Rule> rules = parser.parse("conv=zplus").assign(digits.views());
        assertEquals(new GradientRule(), rules.get("/fc1/Gemm"));
    }

    @Test
    void errorsSayWhatWasExpected() {
        List<String[]> cases = List.of(
                new String[] {"epsilon-plus-flatt", "unknown composite 'epsilon-plus-flatt'; expected one of"},
                new String[] {"conv=gama(0.25)", "unknown rule 'gama'; expected one of"},
                new String[] {"conv=gamma(abc)", "gamma: parameter 'gamma' expected a finite number, found 'abc'"},
                new String[] {"epsilon(eps=1)", "epsilon has no parameter 'eps'"},
                new String[] {"convolution=zplus", "unknown key 'convolution'"},
                new String[] {"conv=zplus;conv=flat", "key 'conv' is given twice"},
                new String[] {"conv=alpha-beta(alpha=2,beta=2)", "alpha-beta needs alpha - beta = 1"},
                new String[] {"epsilon-gamma-box", "epsilon-gamma-box needs 'low'"},
                new String[] {"conv=gamma(0.25", "expected a closing parenthesis"});
        for (String[] errorCase : cases) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> parser.parse(errorCase[0]), errorCase[0]);
            assertTrue(error.getMessage().contains(errorCase[1]), errorCase[0] + " -> " + error.getMessage());
        }
    }

    @Test
    void rulesThatDoNotFitANodeAreRefusedWhenAssigned() {
        CompositeSpecException wrongKind = assertThrows(CompositeSpecException.class,
                () -> parser.parse("node:/relu1/Relu=zplus").assign(digits.views()));
        assertEquals("rule zplus(stabilizer=1e-6) cannot be applied to node '/relu1/Relu' (Relu) of kind activation",
                wrongKind.getMessage());
        CompositeSpecException missing = assertThrows(CompositeSpecException.class,
                () -> parser.parse("node:fc9=epsilon").assign(digits.views()));
        assertTrue(missing.getMessage().startsWith("composite names node 'fc9', which the model does not have"));
    }
}
