package io.lrpsidecar.stream;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The models the sidecar serves, by name and version. */
public final class ModelRegistry implements AutoCloseable {
    private final Map<String, ServedModel> models = new LinkedHashMap<>();

    public ModelRegistry add(ServedModel model) {
        if (models.putIfAbsent(key(model.name(), model.version()), model) != null) {
            throw new IllegalArgumentException("model " + model.name() + " version " + model.version()
                    + " is configured twice");
        }
        return this;
    }

    public Optional<ServedModel> find(String name, String version) {
        return Optional.ofNullable(models.get(key(name, version)));
    }

    public Collection<ServedModel> all() {
        return models.values();
    }

    static String key(String name, String version) {
        return name + "\u0000" + version;
    }

    @Override
    public void close() {
        models.values().forEach(ServedModel::close);
    }
}
