package io.lrpsidecar.runtime;

/** The GPU was required ({@code device=gpu}) but CUDA cannot be used here; the message says why. */
public class GpuUnavailableException extends RuntimeException {
    public GpuUnavailableException(String message) {
        super(message);
    }
}
