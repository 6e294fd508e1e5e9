package io.lrpsidecar.testing;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;

/**
 * The ONNX Runtime environment for tests that run sessions directly. DJL creates the process-wide environment with
 * its own thread pool settings and fails if one already exists, so tests let DJL create it first, whatever order the
 * test classes run in.
 */
public final class OrtEnvironments {
    private OrtEnvironments() {
    }

    public static OrtEnvironment shared() {
        Engine.getEngine("OnnxRuntime");
        return OrtEnvironment.getEnvironment();
    }
}
