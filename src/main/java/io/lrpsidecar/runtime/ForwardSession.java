package io.lrpsidecar.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import io.lrpsidecar.compiler.CompiledModel;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.faithfulness.ForwardModel;
import io.lrpsidecar.graph.OnnxModelWriter;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;

/**
 * The model's forward pass alone on ONNX Runtime ({@link ExplainerCompiler#forwardOnly}): the same operators as the
 * explainer's forward pass, batch-dynamic, with the explainer's session settings. Checks every input against the
 * model before running. Thread-safe (runs are serialised); close it to free the native session.
 */
public final class ForwardSession implements ForwardModel, AutoCloseable {
    private final ExplainableModel model;
    private final OrtPredictor session;
    private final int classes;

    public ForwardSession(ExplainableModel model, RuntimeSettings settings) {
        this.model = model;
        var graph = ExplainerCompiler.forwardOnly(model);
        this.classes = graph.outputs().get(0).shape().get(1);
        this.session = new OrtPredictor(OnnxModelWriter.write(graph), settings, "the model's forward pass");
    }

    @Override
    public synchronized double[][] logits(Tensor inputs) {
        if (model.tokenInput() == inputs.isFloatingPoint()) {
            throw new IllegalArgumentException("this model takes " + (model.tokenInput() ? "int64 token ids"
                    : "floating-point values") + ", found " + inputs.type() + " values");
        }
        model.checkInput(inputs);
        int rows = inputs.dim(0);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime")) {
            Shape shape = new Shape(Arrays.stream(inputs.shape()).asLongStream().toArray());
            NDArray array = model.tokenInput() ? manager.create(inputs.asLongs(), shape)
                    : manager.create(CompiledExplainer.toFloats(inputs.asDoubles()), shape);
            array.setName(CompiledModel.INPUT);
            float[] logits = session.run(new NDList(array)).get(CompiledModel.LOGITS).toFloatArray();
            double[][] result = new double[rows][classes];
            for (int row = 0; row < rows; row++) {
                for (int k = 0; k < classes; k++) {
                    result[row][k] = logits[row * classes + k];
                }
            }
            return result;
        } catch (TranslateException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
