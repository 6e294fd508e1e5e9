package io.lrpsidecar.bench;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lrpsidecar.runtime.CompiledExplainer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

/**
 * One ONNX graph on DJL/ONNX Runtime with the session options of {@link CompiledExplainer#sessionOptions} and the
 * overrides of a {@link SessionVariant} (optimisation level, memory pattern), which the production session fixes.
 * Runs take the prepared inputs as they are, so a timing holds the session run and DJL's tensor handling only.
 */
final class TunedSession implements AutoCloseable {
    private final OrtSession.SessionOptions options;
    private final Model model;
    private final Predictor<NDList, NDList> predictor;

    TunedSession(String name, byte[] onnx, SessionVariant variant) throws IOException, MalformedModelException,
            OrtException {
        options = CompiledExplainer.sessionOptions(variant.runtimeSettings());
        options.setMemoryPatternOptimization(variant.memoryPattern());
        if (!variant.blockedLayout()) {
            options.addConfigEntry("optimization.disable_specified_optimizers", "NchwcTransformer");
        }
        model = Model.newInstance(name, Device.cpu(), "OnnxRuntime");
        model.load(new ByteArrayInputStream(onnx), Map.of("sessionOptions", options,
                "intraOpNumThreads", Integer.toString(variant.intraOpThreads()),
                "interOpNumThreads", Integer.toString(variant.interOpThreads()),
                "optLevel", variant.optLevel().name()));
        predictor = model.newPredictor(new NoopTranslator());
    }

    /** Runs the graph once and returns the wall time in milliseconds. */
    double timedRun(NDList inputs) throws TranslateException {
        long start = System.nanoTime();
        NDList outputs = predictor.predict(inputs);
        double millis = (System.nanoTime() - start) / 1e6;
        outputs.close();
        return millis;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        options.close();
    }
}
