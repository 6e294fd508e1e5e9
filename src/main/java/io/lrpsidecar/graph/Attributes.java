package io.lrpsidecar.graph;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes of a node. Values are {@link Long} (INT), {@link Double} (FLOAT), {@link String} (STRING),
 * {@code long[]} (INTS), {@code double[]} (FLOATS), {@link Tensor} (TENSOR)
 * or {@link Graph} (GRAPH: the body of a control-flow node the compiler emits; model files with one are not read).
 *
 * @param values attribute name to value, in the order of the model file
 */
public record Attributes(Map<String, Object> values) {

    public static final Attributes NONE = new Attributes(Map.of());

    public Attributes {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public long getInt(String name, long defaultValue) {
        Object value = values.get(name);
        return value == null ? defaultValue : ((Number) typed(name, value, Long.class)).longValue();
    }

    public double getFloat(String name, double defaultValue) {
        Object value = values.get(name);
        return value == null ? defaultValue : ((Number) value).doubleValue();
    }

    public String getString(String name, String defaultValue) {
        Object value = values.get(name);
        return value == null ? defaultValue : typed(name, value, String.class);
    }

    public Optional<long[]> getInts(String name) {
        Object value = values.get(name);
        return value == null ? Optional.empty() : Optional.of(typed(name, value, long[].class));
    }

    public Optional<double[]> getFloats(String name) {
        Object value = values.get(name);
        return value == null ? Optional.empty() : Optional.of(typed(name, value, double[].class));
    }

    public Optional<Tensor> getTensor(String name) {
        Object value = values.get(name);
        return value == null ? Optional.empty() : Optional.of(typed(name, value, Tensor.class));
    }

    /** A copy with one attribute set (or replaced). */
    public Attributes with(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(name, value);
        return new Attributes(copy);
    }

    /** A copy without the named attribute. */
    public Attributes without(String name) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.remove(name);
        return new Attributes(copy);
    }

    private static <T> T typed(String name, Object value, Class<T> type) {
        if (!type.isInstance(value)) {
            throw new ModelLoadException("attribute '" + name + "' expected " + type.getSimpleName()
                    + ", found " + value.getClass().getSimpleName());
        }
        return type.cast(value);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        values.forEach((key, value) -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(key).append('=');
            if (value instanceof long[] ints) {
                text.append(Arrays.toString(ints));
            } else if (value instanceof double[] floats) {
                text.append(Arrays.toString(floats));
            } else {
                text.append(value);
            }
        });
        return text.append('}').toString();
    }
}
