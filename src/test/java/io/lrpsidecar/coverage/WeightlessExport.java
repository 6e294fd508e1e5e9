package io.lrpsidecar.coverage;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.onnx.proto.OnnxIr;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A torchvision export stripped of its weights by {@code scripts/coverage/census.py --strip}, refilled: every emptied
 * float initializer (its {@code doc_string} reads {@code fill mean=.. std=.. min=.. max=..}) gets seeded normal values
 * of that mean and standard deviation, clipped to that range (a zero standard deviation, such as the LayerNorm
 * scales of ones, is reproduced exactly). Optionally the input's spatial size is changed, which a convolutional
 * network that ends in a global average pool accepts, so that the reference engine explains it in seconds.
 */
public final class WeightlessExport {
    private static final Pattern FILL = Pattern.compile(
            "fill mean=(\\S+) std=(\\S+) min=(\\S+) max=(\\S+)");

    private static final int DOC_STRING_FIELD = 12;

    private WeightlessExport() {
    }

    /**
     * The ViT-B/16 export (opset 17) refilled with {@code seed}, its classification head drawn from
     * {@code N(0, 0.02^2)} (rounded to float32): torchvision initialises that head to zero, so every logit, and every
     * relevance, would be 0.
     */
    public static Graph vitWithRandomHead(long seed) {
        Graph graph = OnnxModelReader.read(refilled("vit_b_16_opset17", seed, 0));
        Node head = graph.producer(graph.outputs().get(0).name()).orElseThrow();
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        Random random = new Random(seed + 1);
        for (String name : List.of(head.input(1), head.input(2))) {
            Tensor zero = initializers.get(name);
            double[] drawn = new double[zero.size()];
            for (int i = 0; i < drawn.length; i++) {
                drawn[i] = (float) (0.02 * random.nextGaussian());
            }
            initializers.put(name, Tensor.of(zero.shape(), drawn));
        }
        return graph.with(graph.nodes(), initializers);
    }

    /** The ONNX bytes of the resource {@code coverage/<name>.weightless.onnx} refilled with {@code seed}. */
    public static byte[] refilled(String name, long seed, int spatialSize) {
        OnnxIr.ModelProto.Builder model = read(name).toBuilder();
        OnnxIr.GraphProto.Builder graph = model.getGraphBuilder();
        Random random = new Random(seed);
        for (OnnxIr.TensorProto.Builder tensor : graph.getInitializerBuilderList()) {
            Matcher fill = FILL.matcher(docString(tensor));
            if (!fill.find()) {
                continue;
            }
            long count = 1;
            for (long dim : tensor.getDimsList()) {
                count *= dim;
            }
            double mean = Double.parseDouble(fill.group(1));
            double std = Double.parseDouble(fill.group(2));
            double min = Double.parseDouble(fill.group(3));
            double max = Double.parseDouble(fill.group(4));
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(count) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < count; i++) {
                double value = mean + std * random.nextGaussian();
                data.putFloat((float) Math.max(min, Math.min(max, value)));
            }
            tensor.setRawData(ByteString.copyFrom(data.array())).clearFloatData()
                    .setUnknownFields(UnknownFieldSet.getDefaultInstance());
        }
        if (spatialSize > 0) {
            OnnxIr.TensorShapeProto.Builder shape = graph.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
                    .getShapeBuilder();
            for (int axis = 2; axis < shape.getDimCount(); axis++) {
                shape.getDimBuilder(axis).setDimValue(spatialSize);
            }
        }
        return model.build().toByteArray();
    }

    /** The {@code doc_string} (field 12), which the project's trimmed ONNX schema keeps as an unknown field. */
    private static String docString(OnnxIr.TensorProto.Builder tensor) {
        UnknownFieldSet.Field field = tensor.getUnknownFields().getField(DOC_STRING_FIELD);
        return field == null || field.getLengthDelimitedList().isEmpty() ? ""
                : field.getLengthDelimitedList().get(0).toStringUtf8();
    }

    private static OnnxIr.ModelProto read(String name) {
        String resource = "/coverage/" + name + ".weightless.onnx";
        try (InputStream in = WeightlessExport.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return OnnxIr.ModelProto.parseFrom(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
