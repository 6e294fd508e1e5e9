package io.lrpsidecar.graph;

import java.util.Map;

/** Value names for constants that transformations add. */
public final class Names {
    private Names() {
    }

    /** {@code base}, or {@code base_1}, {@code base_2}, ... whichever is not yet a key of {@code taken}. */
    public static String unique(String base, Map<String, ?> taken) {
        String name = base;
        int suffix = 1;
        while (taken.containsKey(name)) {
            name = base + "_" + suffix++;
        }
        return name;
    }
}
