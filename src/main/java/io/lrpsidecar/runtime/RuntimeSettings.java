package io.lrpsidecar.runtime;

/**
 * How ONNX Runtime sessions are built.
 *
 * @param device         where to run
 * @param intraOpThreads threads inside one operator (0: ONNX Runtime's default, one per physical core)
 * @param interOpThreads threads across independent operators (0: default)
 * @param spinning       whether idle ONNX Runtime threads spin-wait for the next run (lower latency for one busy
 *                       session; off by default so that sessions and the JVM do not steal each other's cores)
 */
public record RuntimeSettings(DeviceChoice device, int intraOpThreads, int interOpThreads, boolean spinning) {

    public RuntimeSettings {
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("thread counts must be >= 0, found intra=" + intraOpThreads
                    + ", inter=" + interOpThreads);
        }
    }

    public RuntimeSettings(DeviceChoice device, int intraOpThreads, int interOpThreads) {
        this(device, intraOpThreads, interOpThreads, false);
    }

    public static RuntimeSettings defaults() {
        return new RuntimeSettings(DeviceChoice.CPU, 0, 0, false);
    }
}
