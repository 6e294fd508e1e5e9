package io.lrpsidecar.cli;

import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import picocli.CommandLine.Option;

/** Where and with how many threads compiled explainers run. */
public class RuntimeOptions {

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", defaultValue = "cpu",
            description = "cpu; auto: CUDA when usable, else CPU (with a warning); gpu: fail if CUDA is not usable. "
                    + "Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "ONNX Runtime intra-op threads (0: one per physical core). Default: ${DEFAULT-VALUE}.")
    int threads;

    RuntimeSettings settings() {
        try {
            return new RuntimeSettings(DeviceChoice.parse(device), threads, 1);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--device/--threads: " + e.getMessage());
        }
    }
}
