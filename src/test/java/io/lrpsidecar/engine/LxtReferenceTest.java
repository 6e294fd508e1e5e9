package io.lrpsidecar.engine;

import static io.lrpsidecar.RelevanceAssertions.relativeL2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference engine reproduces LXT's AttnLRP and CP-LRP relevances (and the gradient baselines) on the ONNX
 * exports of a tabular attention model (opset 17, native LayerNormalization, erf GELU) and of a text transformer on
 * token ids (opset 14, decomposed LayerNorm, attention mask from the ids), row by row, and the text case's layer sums
 * at the manifest's taps.
 */
class LxtReferenceTest {
    /**
     * The values the text transformer's layer-sum columns name, in column order: both blocks' residual adds, the CLS
     * row read by the head, and h0.
     */
    private static final List<String> TEXT_TAPS = List.of("/blocks.0/Add_1_output_0", "/blocks.0/Add_2_output_0",
            "/blocks.1/Add_1_output_0", "/blocks.1/Add_2_output_0", "/Gather_output_0", "/Add_output_0");

    @TempDir
    Path workDirectory;

    static Stream<ReferenceCase> cases() {
        return ReferenceCase.transformers();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLxtRowByRow(ReferenceCase referenceCase) {
        ExplainableModel model = ExplainableModel.load(referenceCase.modelFile());
        CompositeParser parser = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());
        ReferenceExplainer explainer = new ReferenceExplainer(model,
                parser.parse(referenceCase.compositeSpec(workDirectory)));
        Tensor input = Npy.read(referenceCase.inputFile()).tensor();

        Explanation explanation = explainer.explain(input, referenceCase.target(), InitMode.ONEHOT);

        Tensor expected = referenceCase.expectedRelevance();
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(explanation.relevance().shape()));
        int rows = expected.dim(0);
        int width = expected.size() / rows;
        for (int row = 0; row < rows; row++) {
            double[] want = Arrays.copyOfRange(expected.asDoubles(), row * width, (row + 1) * width);
            double[] got = Arrays.copyOfRange(explanation.relevance().asDoubles(), row * width, (row + 1) * width);
            double distance = relativeL2(got, want);
            assertTrue(distance <= 1e-6, referenceCase + " row " + row + ": relative L2 " + distance);
        }
        if (referenceCase.hasLayerSums()) {
            assertLayerSums(referenceCase, explanation);
        }
    }

    private static void assertLayerSums(ReferenceCase referenceCase, Explanation explanation) {
        Tensor expected = referenceCase.layerSums();
        int columns = TEXT_TAPS.size();
        for (int column = 0; column < columns; column++) {
            double[] actual = explanation.valueRelevanceSums().get(TEXT_TAPS.get(column));
            for (int row = 0; row < expected.dim(0); row++) {
                double want = expected.asDoubles()[row * columns + column];
                assertEquals(want, actual[row], 1e-5 * Math.max(1, Math.abs(want)),
                        referenceCase + ": " + TEXT_TAPS.get(column) + " row " + row);
            }
        }
    }
}
