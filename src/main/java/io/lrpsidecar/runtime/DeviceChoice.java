package io.lrpsidecar.runtime;

import java.util.Locale;

/** Where compiled explainers run: {@code auto} (CUDA when usable, else CPU), {@code cpu}, or {@code gpu}. */
public enum DeviceChoice {
    AUTO, CPU, GPU;

    public static DeviceChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device '" + text + "': expected auto, cpu or gpu");
        }
    }
}
