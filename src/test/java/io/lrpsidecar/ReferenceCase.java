package io.lrpsidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One stored zennit result of the reference data in {@code src/test/resources/reference} (copied from the shared
 * reference folder): a model, a composite, a target kind, and the relevance zennit computed.
 *
 * @param model     the case folder name ({@code cnn_digits}, {@code mlp_tabular})
 * @param folder    the case folder
 * @param result    the manifest entry of this result
 * @param manifest  the whole manifest
 */
public record ReferenceCase(String model, Path folder, JsonNode result, JsonNode manifest) {

    public static final List<String> MODELS = List.of("cnn_digits", "mlp_tabular");

    /** The LXT (AttnLRP, CP-LRP) cases: a tabular attention model and a text transformer on token ids. */
    public static final List<String> TRANSFORMERS = List.of("attention_tabular", "text_transformer");

    public static Path folder(String model) {
        try {
            return Path.of(Objects.requireNonNull(ReferenceCase.class.getResource("/reference/" + model
                    + "/manifest.json")).toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Stream<ReferenceCase> all() {
        return of(MODELS);
    }

    /** The transformer cases that have a relevance file at the input (or per token). */
    public static Stream<ReferenceCase> transformers() {
        return of(TRANSFORMERS).filter(referenceCase -> referenceCase.result().hasNonNull("file"));
    }

    private static Stream<ReferenceCase> of(List<String> models) {
        List<ReferenceCase> cases = new ArrayList<>();
        for (String model : models) {
            Path folder = folder(model);
            try {
                JsonNode manifest = new ObjectMapper().readTree(folder.resolve("manifest.json").toFile());
                Iterator<JsonNode> results = manifest.get("results").elements();
                results.forEachRemaining(result -> cases.add(new ReferenceCase(model, folder, result, manifest)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases.stream();
    }

    public String composite() {
        return result.get("composite").asText();
    }

    public String targetKind() {
        return result.get("target_kind").asText();
    }

    /** The target the reference was computed for: the predicted class, or the case's labels row by row. */
    public Target target() {
        return targetKind().equals("pred") ? new Target.Predicted()
                : new Target.PerRow(Npy.read(labelsFile()).tensor().asLongs());
    }

    public Path modelFile() {
        return folder.resolve("model.onnx");
    }

    public Path inputFile() {
        return folder.resolve("input.npy");
    }

    public Path labelsFile() {
        return folder.resolve("labels.npy");
    }

    public Tensor expectedRelevance() {
        return Npy.read(folder.resolve(result.get("file").asText())).tensor();
    }

    /**
     * The project's composite spec for zennit's composite, writing array-valued ZBox bounds next to the given
     * directory as {@code .npy} files.
     */
    public String compositeSpec(Path workDirectory) {
        JsonNode params = result.get("params");
        return switch (composite()) {
            case "Gradient" -> "gradient";
            case "GradientXInput" -> "gradient-x-input";
            case "LXT_AttnLRP" -> "attnlrp";
            case "LXT_CPLRP" -> "cp-lrp";
            case "Epsilon" -> "epsilon";
            case "ZPlus" -> "zplus";
            case "EpsilonPlus" -> "epsilon-plus";
            case "EpsilonPlusFlat" -> "epsilon-plus-flat";
            case "EpsilonAlpha2Beta1" -> "epsilon-alpha2-beta1";
            case "EpsilonAlpha2Beta1Flat" -> "epsilon-alpha2-beta1-flat";
            case "EpsilonGammaBox" -> "epsilon-gamma-box(low=" + bound(params.get("low"), "low", workDirectory)
                    + ",high=" + bound(params.get("high"), "high", workDirectory) + ")";
            case "EpsilonGammaBox_ZBoxFirstLinear" -> "first=zbox(low=" + bound(params.get("low"), "low", workDirectory)
                    + ",high=" + bound(params.get("high"), "high", workDirectory)
                    + ");conv=gamma(0.25);dense=epsilon(1e-6)";
            default -> throw new IllegalArgumentException("no mapping for zennit composite " + composite());
        };
    }

    private static String bound(JsonNode value, String name, Path workDirectory) {
        if (value.isNumber()) {
            return value.asText();
        }
        List<Double> values = new ArrayList<>();
        value.forEach(row -> row.forEach(element -> values.add(element.asDouble())));
        Path file = workDirectory.resolve(name + ".npy");
        try {
            Npy.write(file, Tensor.of(new int[] {1, values.size()}, values.stream().mapToDouble(Double::doubleValue)
                    .toArray()), io.lrpsidecar.graph.ElementType.FLOAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "@" + file;
    }

    /** The value name whose relevance each layersum column holds, in column order. */
    public List<String> layerSumModules() {
        List<String> modules = new ArrayList<>();
        result.get("layer_relevance_sums_columns").forEach(column -> modules.add(column.asText()));
        return modules;
    }

    public boolean hasLayerSums() {
        return result.has("layer_relevance_sums_file")
                && Files.exists(folder.resolve(result.get("layer_relevance_sums_file").asText()));
    }

    public Tensor layerSums() {
        return Npy.read(folder.resolve(result.get("layer_relevance_sums_file").asText())).tensor();
    }

    /** The ONNX nodes a zennit module exported to. */
    public List<String> onnxNodes(String module) {
        List<String> nodes = new ArrayList<>();
        for (JsonNode rule : result.get("layer_rules")) {
            if (rule.get("module").asText().equals(module)) {
                rule.get("onnx_nodes").forEach(node -> nodes.add(node.asText()));
            }
        }
        return nodes;
    }

    @Override
    public String toString() {
        return model + " " + composite() + " " + targetKind();
    }
}
