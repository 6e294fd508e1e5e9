package io.lrpsidecar.bench;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;

/**
 * One ONNX Runtime session configuration measured by {@link SessionSettingsBenchmark}: the sidecar's
 * {@link RuntimeSettings} (threads, spinning) plus the settings the sidecar fixes today (graph optimisation level,
 * memory pattern) and the batch size.
 *
 * @param label         how the report names it, such as {@code spinning on}
 * @param intraOpThreads threads inside one operator
 * @param interOpThreads threads across independent operators
 * @param spinning      whether idle ONNX Runtime threads spin-wait
 * @param optLevel      graph optimisation level
 * @param memoryPattern whether ONNX Runtime plans one allocation pattern for repeated runs of the same shape
 * @param batch         rows per run
 * @param blockedLayout whether ONNX Runtime's NCHWc transformer may rewrite the graph into its blocked layout (on in
 *                      production; off through {@code optimization.disable_specified_optimizers})
 */
record SessionVariant(String label, int intraOpThreads, int interOpThreads, boolean spinning, OptLevel optLevel,
        boolean memoryPattern, int batch, boolean blockedLayout) {

    /** The sidecar's settings in the benchmarks: 2 intra-op threads, 1 inter-op, no spinning, ALL_OPT, memory pattern on. */
    static SessionVariant sidecar(int batch) {
        return new SessionVariant("sidecar (2/1 threads, no spinning, ALL, memory pattern on)", 2, 1, false,
                OptLevel.ALL_OPT, true, batch, true);
    }

    SessionVariant named(String newLabel) {
        return new SessionVariant(newLabel, intraOpThreads, interOpThreads, spinning, optLevel, memoryPattern, batch,
                blockedLayout);
    }

    SessionVariant withSpinning(boolean on) {
        return new SessionVariant(label, intraOpThreads, interOpThreads, on, optLevel, memoryPattern, batch,
                blockedLayout);
    }

    SessionVariant withOptLevel(OptLevel level) {
        return new SessionVariant(label, intraOpThreads, interOpThreads, spinning, level, memoryPattern, batch,
                blockedLayout);
    }

    SessionVariant withMemoryPattern(boolean on) {
        return new SessionVariant(label, intraOpThreads, interOpThreads, spinning, optLevel, on, batch, blockedLayout);
    }

    SessionVariant withThreads(int intra, int inter) {
        return new SessionVariant(label, intra, inter, spinning, optLevel, memoryPattern, batch, blockedLayout);
    }

    SessionVariant withBatch(int rows) {
        return new SessionVariant(label, intraOpThreads, interOpThreads, spinning, optLevel, memoryPattern, rows,
                blockedLayout);
    }

    SessionVariant withoutBlockedLayout() {
        return new SessionVariant(label, intraOpThreads, interOpThreads, spinning, optLevel, memoryPattern, batch,
                false);
    }

    RuntimeSettings runtimeSettings() {
        return new RuntimeSettings(DeviceChoice.CPU, intraOpThreads, interOpThreads, spinning);
    }
}
