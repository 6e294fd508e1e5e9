package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The versions an explanation reports are those of the jars on the class path, not DJL's built-in constant. */
class RuntimeVersionsTest {

    @Test
    void theReportedOnnxRuntimeIsTheJarThatRuns() {
        String onTheClassPath = OnnxRuntimeJar.onClassPath().version();
        Map<String, String> reported = CompiledExplainer.runtimeVersions();
        assertEquals(onTheClassPath, reported.get("onnxruntime"));
        assertNotEquals("1.21.1", reported.get("onnxruntime"), "DJL's built-in ONNX Runtime version");
    }

    @Test
    void theReportedDjlIsTheApiJarThatRuns() throws IOException {
        Properties api = new Properties();
        try (InputStream in = Engine.class.getResourceAsStream("api.properties")) {
            api.load(in);
        }
        assertEquals(api.getProperty("djl_version"), CompiledExplainer.runtimeVersions().get("djl"));
    }
}
