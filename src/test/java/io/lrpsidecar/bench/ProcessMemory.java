package io.lrpsidecar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process from {@code /proc/self/status} (Linux), in MiB. */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {
    }

    static double rssMiB() {
        return field("VmRSS:");
    }

    /** Peak RSS since the last {@link #resetPeak()} (or process start). */
    static double peakRssMiB() {
        return field("VmHWM:");
    }

    /** Resets the peak RSS counter (writing 5 to clear_refs), where the kernel allows it. */
    static void resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
        } catch (IOException | SecurityException notAllowed) {
            System.err.println("peak RSS cannot be reset here (" + notAllowed.getMessage()
                    + "); peaks are since process start");
        }
    }

    static double heapUsedMiB() {
        Runtime runtime = Runtime.getRuntime();
        return (runtime.totalMemory() - runtime.freeMemory()) / 1048576.0;
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
