package io.lrpsidecar.runtime;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.LedgerEntry;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled explainer (float32, ONNX Runtime via DJL) agrees with zennit's stored relevances and with the
 * double-precision reference engine, relevance and ledger, on every reference case.
 */
class CompiledReferenceDataTest {
    @TempDir
    Path work;

    static Stream<ReferenceCase> cases() {
        return ReferenceCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiledMatchesZennitAndTheReference(ReferenceCase referenceCase) {
        ExplainableModel model = ExplainableModel.load(referenceCase.modelFile());
        Composite composite = new CompositeParser(file -> Npy.read(Path.of(file)).tensor())
                .parse(referenceCase.compositeSpec(work));
        Tensor input = Npy.read(referenceCase.inputFile()).tensor();
        Target target = referenceCase.target();
        for (InitMode init : InitMode.values()) {
            Explanation reference = new ReferenceExplainer(model, composite).explain(input, target, init);
            try (CompiledExplainer compiled = new CompiledExplainer(
                    ExplainerCompiler.compile(model, composite, init), new RuntimeSettings(DeviceChoice.CPU, 2, 1))) {
                Explanation actual = compiled.explain(input, target, init);
                if (init == InitMode.ONEHOT) {
                    assertRelativeL2(actual.relevance(), referenceCase.expectedRelevance(), 1e-4,
                            referenceCase + " vs zennit");
                }
                assertRelativeL2(actual.relevance(), reference.relevance(), 1e-4, referenceCase + " " + init);
                assertArrayEquals(reference.targets(), actual.targets());
                assertLedgersAgree(reference, actual, referenceCase + " " + init);
            }
        }
    }

    static void assertLedgersAgree(Explanation reference, Explanation actual, String what) {
        for (LedgerEntry compiledLayer : actual.ledger()) {
            LedgerEntry referenceLayer = reference.ledger().stream()
                    .filter(layer -> layer.name().equals(compiledLayer.name())).findFirst()
                    .orElseThrow(() -> new AssertionError(what + ": no reference layer " + compiledLayer.name()));
            assertEquals(referenceLayer.rule(), compiledLayer.rule(), what);
            for (int row = 0; row < actual.rows(); row++) {
                double scale = Math.max(1e-3, Math.abs(referenceLayer.relevanceIn()[row]));
                assertEquals(referenceLayer.relevanceIn()[row], compiledLayer.relevanceIn()[row], 1e-4 * scale,
                        what + " ledger in " + compiledLayer.name() + " row " + row);
                assertEquals(referenceLayer.relevanceOut()[row], compiledLayer.relevanceOut()[row], 1e-4 * scale,
                        what + " ledger out " + compiledLayer.name() + " row " + row);
            }
        }
        assertEquals(reference.ledger().size(), actual.ledger().size(), what + ": ledger columns");
    }
}
