package io.lrpsidecar.app;

import io.lrpsidecar.ReferenceCase;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@link KafkaBrokerResource} serving, besides the two reference models, the text transformer as model {@code text}
 * (token ids, composite {@code attnlrp}, the test vocabulary file and padding id 0).
 */
public class TextModelBrokerResource extends KafkaBrokerResource {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("lrp.models.text.file", ReferenceCase.folder("text_transformer").resolve("model.onnx").toString());
        config.put("lrp.models.text.composite", "attnlrp");
        config.put("lrp.models.text.vocabulary-file", vocabulary().toString());
        config.put("lrp.models.text.padding-token-id", "0");
        config.put("lrp.models.text.max-wait", "50ms");
        return config;
    }

    private static Path vocabulary() {
        try {
            return Path.of(Objects.requireNonNull(TextModelBrokerResource.class.getResource(
                    "/vocabulary/text_transformer.txt")).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
