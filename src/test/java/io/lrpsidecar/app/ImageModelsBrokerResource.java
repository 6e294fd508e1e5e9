package io.lrpsidecar.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link TextModelBrokerResource} also serving the two {@link SyntheticImageModels}, written to a temporary folder:
 * {@code band} (one channel, 16x16, relevance only in a known top-left band; classes {@code band} and {@code none})
 * and {@code rgb224} (three channels, 224x224).
 */
public class ImageModelsBrokerResource extends TextModelBrokerResource {
    /** Seed of the {@code rgb224} model's weights. */
    static final long RGB_SEED = 224;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        try {
            Path folder = Files.createTempDirectory("lrp-image-models");
            Path band = Files.write(folder.resolve("band.onnx"), SyntheticImageModels.topLeftBand());
            Path rgb = Files.write(folder.resolve("rgb224.onnx"), SyntheticImageModels.rgb224(RGB_SEED));
            config.put("lrp.models.band.file", band.toString());
            config.put("lrp.models.band.composite", "epsilon");
            config.put("lrp.models.band.class-names", "band,none");
            config.put("lrp.models.band.max-wait", "50ms");
            config.put("lrp.models.rgb224.file", rgb.toString());
            config.put("lrp.models.rgb224.composite", "epsilon");
            config.put("lrp.models.rgb224.max-wait", "50ms");
            // small attribution windows on a 2x2 grid, so that the drift page has a fixed baseline after one digit per partition
            config.put("lrp.models.digits.drift.baseline-events", "1");
            config.put("lrp.models.digits.drift.window-events", "4");
            config.put("lrp.models.digits.drift.window-blocks", "2");
            config.put("lrp.models.digits.drift.grid-rows", "2");
            config.put("lrp.models.digits.drift.grid-columns", "2");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("the synthetic image models could not be written", e);
        }
    }
}
