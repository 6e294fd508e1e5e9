package io.lrpsidecar.runtime;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX graph loaded in a DJL model on ONNX Runtime with the runtime settings: the session options of
 * {@link CompiledExplainer#sessionOptions}, the threads, full graph optimisation and, on a GPU, the one CUDA provider
 * with TF32 off. Not thread-safe; close it to free the native session.
 */
final class OrtPredictor implements AutoCloseable {
    private final ExecutionProvider provider;
    private final OrtSession.SessionOptions sessionOptions;
    private final Model model;
    private final Predictor<NDList, NDList> predictor;

    /**
     * @param what names the graph in error messages, such as {@code the compiled explainer}
     */
    OrtPredictor(byte[] onnx, RuntimeSettings settings, String what) {
        this.provider = ExecutionProvider.select(settings.device());
        Engine.getEngine("OnnxRuntime");
        this.sessionOptions = CompiledExplainer.sessionOptions(settings);
        if (provider.isGpu()) {
            try {
                CudaProviderOptions.register(sessionOptions, provider.device().getDeviceId());
            } catch (OrtException e) {
                sessionOptions.close();
                throw new IllegalStateException("ONNX Runtime refused the CUDA provider options "
                        + CudaProviderOptions.exactFp32(provider.device().getDeviceId()) + ": " + e.getMessage(), e);
            }
        }
        Map<String, Object> options = new HashMap<>();
        options.put("sessionOptions", sessionOptions);
        if (settings.intraOpThreads() > 0) {
            options.put("intraOpNumThreads", Integer.toString(settings.intraOpThreads()));
        }
        if (settings.interOpThreads() > 0) {
            options.put("interOpNumThreads", Integer.toString(settings.interOpThreads()));
        }
        options.put("optLevel", "ALL_OPT");
        Model loaded = Model.newInstance("lrp-explainer", Device.cpu(), "OnnxRuntime");
        try {
            loaded.load(new ByteArrayInputStream(onnx), options);
        } catch (IOException | MalformedModelException e) {
            loaded.close();
            sessionOptions.close();
            throw new IllegalStateException("ONNX Runtime refused " + what + ": " + e.getMessage(), e);
        }
        this.model = loaded;
        this.predictor = loaded.newPredictor(new NoopTranslator());
    }

    ExecutionProvider provider() {
        return provider;
    }

    /** Runs the graph on named inputs. */
    NDList run(NDList inputs) throws TranslateException {
        return predictor.predict(inputs);
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        sessionOptions.close();
    }
}
