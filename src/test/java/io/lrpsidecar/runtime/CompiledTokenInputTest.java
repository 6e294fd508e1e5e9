package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import io.lrpsidecar.testing.OrtEnvironments;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.graph.ValueInfo;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model reading int64 token ids compiles to an explainer with an int64 input whose relevance has the ids' shape:
 * the relevance of the embedding {@code h0} (table lookup plus position embedding) summed over the hidden axis.
 * The expected values are LRP-epsilon on the one Dense layer, written out by hand in double precision.
 */
class CompiledTokenInputTest {
    private static final int VOCABULARY = 5;
    private static final int SEQUENCE = 3;
    private static final int HIDDEN = 2;
    private static final int CLASSES = 2;
    private static final double EPSILON = 1e-6;

    @Test
    void relevanceIsTheEmbeddingsRelevanceSummedOverTheHiddenAxis() throws OrtException {
        Random random = new Random(42);
        double[] table = gaussian(random, VOCABULARY * HIDDEN);
        double[] positions = gaussian(random, SEQUENCE * HIDDEN);
        double[] weight = gaussian(random, CLASSES * SEQUENCE * HIDDEN);
        double[] bias = gaussian(random, CLASSES);
        ExplainableModel model = ExplainableModel.prepare(tokenModel(table, positions, weight, bias), false);
        CompiledModel compiled = ExplainerCompiler.compile(model,
                new CompositeParser(file -> null).parse("epsilon"), InitMode.LOGIT);
        assertEquals(ElementType.INT64, compiled.graph().inputs().get(0).type(), "the ids stay int64");

        long[][] ids = {{1, 4, 0}, {3, 3, 2}};
        float[] relevance = run(compiled, ids);
        for (int row = 0; row < ids.length; row++) {
            double[] expected = expectedRelevance(ids[row], table, positions, weight, bias);
            double[] actual = new double[SEQUENCE];
            for (int t = 0; t < SEQUENCE; t++) {
                actual[t] = relevance[row * SEQUENCE + t];
            }
            assertArrayEquals(expected, actual, 1e-4, "row " + row);
        }
    }

    /** h0 = table[ids] + positions, flattened, then logits = W h0 + b. */
    private static Graph tokenModel(double[] table, double[] positions, double[] weight, double[] bias) {
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        initializers.put("table", Tensor.of(new int[] {VOCABULARY, HIDDEN}, table));
        initializers.put("positions", Tensor.of(new int[] {SEQUENCE, HIDDEN}, positions));
        initializers.put("flat", Tensor.ofLongs(new int[] {2}, new long[] {-1, SEQUENCE * HIDDEN}));
        initializers.put("weight", Tensor.of(new int[] {CLASSES, SEQUENCE * HIDDEN}, weight));
        initializers.put("bias", Tensor.of(new int[] {CLASSES}, bias));
        List<Node> nodes = List.of(
                Node.of("lookup", "Gather", List.of("table", "ids"), List.of("tokens"), Attributes.NONE),
                Node.of("embed", "Add", List.of("tokens", "positions"), List.of("h0"), Attributes.NONE),
                Node.of("flatten", "Reshape", List.of("h0", "flat"), List.of("features"), Attributes.NONE),
                Node.of("classify", "Gemm", List.of("features", "weight", "bias"), List.of("logits"),
                        new Attributes(Map.of("transB", 1L))));
        return new Graph("tokens", 17, nodes, initializers,
                List.of(new ValueInfo("ids", ElementType.INT64, List.of(-1, SEQUENCE))),
                List.of(new ValueInfo("logits", ElementType.FLOAT, List.of(-1, CLASSES))), Map.of());
    }

    private static double[] expectedRelevance(long[] ids, double[] table, double[] positions, double[] weight,
            double[] bias) {
        double[] h = new double[SEQUENCE * HIDDEN];
        for (int t = 0; t < SEQUENCE; t++) {
            for (int k = 0; k < HIDDEN; k++) {
                h[t * HIDDEN + k] = (float) table[(int) ids[t] * HIDDEN + k] + (float) positions[t * HIDDEN + k];
            }
        }
        double[] z = new double[CLASSES];
        int predicted = 0;
        for (int c = 0; c < CLASSES; c++) {
            z[c] = (float) bias[c];
            for (int i = 0; i < h.length; i++) {
                z[c] += (float) weight[c * h.length + i] * h[i];
            }
            predicted = z[c] > z[predicted] ? c : predicted;
        }
        double s = z[predicted] / (z[predicted] + (z[predicted] >= 0 ? EPSILON : -EPSILON));
        double[] tokens = new double[SEQUENCE];
        for (int i = 0; i < h.length; i++) {
            tokens[i / HIDDEN] += h[i] * (float) weight[predicted * h.length + i] * s;
        }
        return tokens;
    }

    private static float[] run(CompiledModel compiled, long[][] ids) throws OrtException {
        OrtEnvironment environment = OrtEnvironments.shared();
        long[] flat = new long[ids.length * SEQUENCE];
        for (int row = 0; row < ids.length; row++) {
            System.arraycopy(ids[row], 0, flat, row * SEQUENCE, SEQUENCE);
        }
        long[] predicted = new long[ids.length];
        Arrays.fill(predicted, -1);
        try (OrtSession session = environment.createSession(compiled.toOnnx(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(environment, LongBuffer.wrap(flat),
                        new long[] {ids.length, SEQUENCE});
                OnnxTensor target = OnnxTensor.createTensor(environment, LongBuffer.wrap(predicted),
                        new long[] {ids.length});
                OnnxTensor noContrast = OnnxTensor.createTensor(environment, LongBuffer.wrap(predicted),
                        new long[] {ids.length});
                OrtSession.Result result = session.run(Map.of(CompiledModel.INPUT, input, CompiledModel.TARGET,
                        target, CompiledModel.CONTRAST, noContrast))) {
            OnnxTensor relevance = (OnnxTensor) result.get(CompiledModel.RELEVANCE).orElseThrow();
            assertArrayEquals(new long[] {ids.length, SEQUENCE}, relevance.getInfo().getShape(),
                    "relevance has the shape of the ids");
            float[] values = new float[ids.length * SEQUENCE];
            relevance.getFloatBuffer().get(values);
            return values;
        }
    }

    private static double[] gaussian(Random random, int count) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }
}
