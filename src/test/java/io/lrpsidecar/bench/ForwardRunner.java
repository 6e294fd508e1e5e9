package io.lrpsidecar.bench;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtSession;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

/**
 * The plain model on the same DJL/ONNX Runtime setup as the explainer (same threads, same session options): the
 * forward-only baseline.
 */
final class ForwardRunner implements AutoCloseable {
    private final OrtSession.SessionOptions options;
    private final Model model;
    private final Predictor<NDList, NDList> predictor;

    ForwardRunner(byte[] onnx, int threads) throws IOException, MalformedModelException {
        options = io.lrpsidecar.runtime.CompiledExplainer.sessionOptions(new RuntimeSettings(DeviceChoice.CPU, threads, 1));
        model = Model.newInstance("forward", Device.cpu(), "OnnxRuntime");
        model.load(new ByteArrayInputStream(onnx), Map.of("sessionOptions", options, "intraOpNumThreads",
                Integer.toString(threads), "interOpNumThreads", "1", "optLevel", "ALL_OPT"));
        predictor = model.newPredictor(new NoopTranslator());
    }

    void run(float[] input, long[] shape) throws TranslateException {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime")) {
            NDArray array = manager.create(input, new Shape(shape));
            predictor.predict(new NDList(array));
        }
    }

    /** Runs the model on int64 token ids. */
    void run(long[] ids, long[] shape) throws TranslateException {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime")) {
            NDArray array = manager.create(ids, new Shape(shape));
            predictor.predict(new NDList(array));
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        options.close();
    }
}
