package io.lrpsidecar.engine;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.reference.ReferenceExplainer;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference implementation reproduces every stored zennit result: input relevance and per-layer sums. */
class ZennitReferenceTest {
    @TempDir
    Path workDirectory;

    static Stream<ReferenceCase> cases() {
        return ReferenceCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesZennit(ReferenceCase referenceCase) {
        ExplainableModel model = ExplainableModel.load(referenceCase.modelFile());
        CompositeParser parser = new CompositeParser(file -> Npy.read(Path.of(file)).tensor());
        ReferenceExplainer explainer = new ReferenceExplainer(model,
                parser.parse(referenceCase.compositeSpec(workDirectory)));
        Tensor input = Npy.read(referenceCase.inputFile()).tensor();
        Target target = referenceCase.target();

        Explanation explanation = explainer.explain(input, target, InitMode.ONEHOT);

        assertRelativeL2(explanation.relevance(), referenceCase.expectedRelevance(), 1e-5, referenceCase.toString());
        if (referenceCase.targetKind().equals("pred")) {
            long[] predicted = Npy.read(referenceCase.folder().resolve("predicted.npy")).tensor().asLongs();
            assertArrayEquals(predicted, java.util.Arrays.stream(explanation.targets()).asLongStream().toArray());
        }
        if (referenceCase.hasLayerSums()) {
            assertLayerSums(referenceCase, model, explanation);
        }
    }

    private static void assertLayerSums(ReferenceCase referenceCase, ExplainableModel model,
            Explanation explanation) {
        Tensor expected = referenceCase.layerSums();
        List<String> modules = referenceCase.layerSumModules();
        int rows = expected.dim(0);
        for (int column = 0; column < modules.size(); column++) {
            String value = valueOf(modules.get(column), referenceCase, model);
            double[] actual = explanation.valueRelevanceSums().get(value);
            for (int row = 0; row < rows; row++) {
                double want = expected.doubles()[row * modules.size() + column];
                double tolerance = 1e-5 * Math.max(1, Math.abs(want));
                assertEquals(want, actual[row], tolerance, referenceCase + ": " + modules.get(column) + " row " + row);
            }
        }
    }

    /** The value holding a module's output: the output of the last of its ONNX nodes in graph order. */
    private static String valueOf(String column, ReferenceCase referenceCase, ExplainableModel model) {
        if (column.equals("model input")) {
            return model.inputName();
        }
        List<String> nodes = referenceCase.onnxNodes(column.substring("output of ".length()));
        return model.graph().nodes().stream().filter(node -> nodes.contains(node.name())).reduce((a, b) -> b)
                .map(Node::output).orElseThrow(() -> new AssertionError("no node for " + column));
    }
}
