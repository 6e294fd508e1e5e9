package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import io.lrpsidecar.testing.CapturedLog;
import org.junit.jupiter.api.Test;

/**
 * Device selection: {@code auto} falls back to CPU with one WARN line, {@code gpu} fails with the reason, and a
 * usable CUDA is taken and its TF32 choice logged once. Runs with either ONNX Runtime build (the CPU jar, or the
 * {@code -Pgpu} jar with or without a usable CUDA); the tests that need one of them say so by an assumption.
 */
class ExecutionProviderTest {

    @Test
    void theCpuBuildHasNoCudaAndSaysSo() {
        assumeFalse(OnnxRuntimeJar.onClassPath().isGpuBuild(), "runs with the CPU build of ONNX Runtime");
        String problem = ExecutionProvider.probeCuda();
        assertNotNull(problem, "the CPU build of ONNX Runtime has no CUDA");
        assertTrue(problem.contains("no CUDA provider"), problem);
    }

    @Test
    void theGpuBuildWithoutCudaSaysWhyTheProviderCannotStart() {
        assumeTrue(OnnxRuntimeJar.onClassPath().isGpuBuild(), "runs with the -Pgpu build of ONNX Runtime");
        String problem = ExecutionProvider.probeCuda();
        assumeTrue(problem != null, "runs where CUDA cannot be used");
        assertTrue(problem.startsWith("the CUDA provider failed to initialise: "), problem);
    }

    @Test
    void autoFallsBackToTheCpuWithOneWarning() {
        try (CapturedLog log = new CapturedLog(ExecutionProvider.class.getName())) {
            ExecutionProvider provider = ExecutionProvider.select(DeviceChoice.AUTO, () -> "no GPU in this test");
            assertEquals(ExecutionProvider.CPU, provider.name());
            assertFalse(provider.isGpu());
            assertEquals(1, log.records().size(), "exactly one log line");
            assertEquals(Level.WARNING, log.records().get(0).getLevel());
            assertEquals("CUDA is not usable (no GPU in this test); explainers run on the CPU (CPUExecutionProvider)",
                    log.records().get(0).getMessage());
        }
    }

    @Test
    void gpuFailsFastWithTheReason() {
        String problem = ExecutionProvider.probeCuda();
        assumeTrue(problem != null, "runs where CUDA cannot be used");
        GpuUnavailableException error = assertThrows(GpuUnavailableException.class,
                () -> ExecutionProvider.select(DeviceChoice.GPU));
        assertTrue(error.getMessage().startsWith("device=gpu was requested but CUDA cannot be used: " + problem),
                error.getMessage());
    }

    @Test
    void cpuNeverProbesCuda() {
        ExecutionProvider provider = ExecutionProvider.select(DeviceChoice.CPU, () -> {
            throw new AssertionError("probed");
        });
        assertEquals(ExecutionProvider.CPU, provider.name());
    }

    @Test
    void aUsableCudaIsTakenByAutoAndGpu() {
        for (DeviceChoice choice : new DeviceChoice[] {DeviceChoice.AUTO, DeviceChoice.GPU}) {
            ExecutionProvider provider = ExecutionProvider.select(choice, () -> null);
            assertEquals(ExecutionProvider.CUDA, provider.name());
            assertTrue(provider.isGpu());
        }
    }

    @Test
    void choosingCudaLogsTheTf32ChoiceOnceAtInfo() {
        ExecutionProvider.CUDA_CHOICE_LOGGED.set(false);
        try (CapturedLog log = new CapturedLog(ExecutionProvider.class.getName())) {
            ExecutionProvider.select(DeviceChoice.GPU, () -> null);
            ExecutionProvider.select(DeviceChoice.AUTO, () -> null);
            ExecutionProvider.select(DeviceChoice.GPU, () -> null);
            assertEquals(1, log.records().size(), "exactly one log line for three CUDA explainers");
            assertEquals(Level.INFO, log.records().get(0).getLevel());
            assertEquals("CUDA execution provider with use_tf32=0 (TF32 off for exact fp32 matmul/conv)",
                    log.records().get(0).getMessage());
        }
    }

    @Test
    void theExplainerReportsTheProviderItRunsOn() {
        String expected = ExecutionProvider.probeCuda() == null ? ExecutionProvider.CUDA : ExecutionProvider.CPU;
        try (CompiledExplainer explainer = new CompiledExplainer(io.lrpsidecar.compiler.ExplainerCompiler.compile(
                io.lrpsidecar.engine.ExplainableModel.load(io.lrpsidecar.ReferenceCase.folder("mlp_tabular")
                        .resolve("model.onnx")),
                new io.lrpsidecar.engine.composite.CompositeParser(file -> null).parse("epsilon"),
                io.lrpsidecar.engine.InitMode.LOGIT), new RuntimeSettings(DeviceChoice.AUTO, 1, 1))) {
            assertEquals(expected, explainer.executionProvider().name());
        }
    }
}
