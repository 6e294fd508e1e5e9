package io.lrpsidecar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Device selection with the CPU build of ONNX Runtime (the one the tests run with): {@code auto} falls back to
 * CPU with one WARN line, {@code gpu} fails with the reason, and a usable CUDA would be taken.
 */
class ExecutionProviderTest {

    /** Collects what the selector logs. */
    private static final class Captured extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(ExecutionProvider.class.getName());
        final List<LogRecord> records = new ArrayList<>();

        Captured() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    void theCpuBuildHasNoCudaAndSaysSo() {
        String problem = ExecutionProvider.probeCuda();
        assertNotNull(problem, "the test class path carries the CPU build of ONNX Runtime");
        assertTrue(problem.contains("no CUDA provider"), problem);
    }

    @Test
    void autoFallsBackToTheCpuWithOneWarning() {
        try (Captured log = new Captured()) {
            ExecutionProvider provider = ExecutionProvider.select(DeviceChoice.AUTO);
            assertEquals(ExecutionProvider.CPU, provider.name());
            assertFalse(provider.isGpu());
            assertEquals(1, log.records.size(), "exactly one log line");
            assertEquals(Level.WARNING, log.records.get(0).getLevel());
            assertTrue(log.records.get(0).getMessage().contains("explainers run on the CPU"),
                    log.records.get(0).getMessage());
        }
    }

    @Test
    void gpuFailsFastWithTheReason() {
        GpuUnavailableException error = assertThrows(GpuUnavailableException.class,
                () -> ExecutionProvider.select(DeviceChoice.GPU));
        assertTrue(error.getMessage().startsWith("device=gpu was requested but CUDA cannot be used: the ONNX Runtime"
                + " on the class path has no CUDA provider"), error.getMessage());
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
    void theExplainerReportsTheProviderItRunsOn() {
        try (CompiledExplainer explainer = new CompiledExplainer(io.lrpsidecar.compiler.ExplainerCompiler.compile(
                io.lrpsidecar.engine.ExplainableModel.load(io.lrpsidecar.ReferenceCase.folder("mlp_tabular")
                        .resolve("model.onnx")),
                new io.lrpsidecar.engine.composite.CompositeParser(file -> null).parse("epsilon"),
                io.lrpsidecar.engine.InitMode.LOGIT), new RuntimeSettings(DeviceChoice.AUTO, 1, 1))) {
            assertEquals(ExecutionProvider.CPU, explainer.executionProvider().name());
        }
    }
}
