package io.lrpsidecar.graph;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.lrpsidecar.onnx.proto.OnnxIr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads an ONNX {@code ModelProto} into the project's immutable {@link Graph}. */
public final class OnnxModelReader {
    private OnnxModelReader() {
    }

    public static Graph read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("model file not found: " + path);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
        try {
            return read(bytes);
        } catch (ModelLoadException e) {
            throw new ModelLoadException(path.getFileName() + ": " + e.getMessage(), e);
        }
    }

    public static Graph read(byte[] bytes) {
        OnnxIr.ModelProto model;
        try {
            model = OnnxIr.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("not a readable ONNX model (expected a serialized ModelProto: "
                    + e.getMessage() + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new ModelLoadException("not an ONNX model: expected a ModelProto with a graph of nodes, found "
                    + (model.hasGraph() ? "an empty graph" : "no graph") + " in " + bytes.length + " bytes");
        }
        return toGraph(model);
    }

    private static Graph toGraph(OnnxIr.ModelProto model) {
        OnnxIr.GraphProto graph = model.getGraph();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (OnnxIr.TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), toTensor(tensor));
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (OnnxIr.ValueInfoProto input : graph.getInputList()) {
            if (!initializers.containsKey(input.getName())) {
                inputs.add(toValueInfo(input));
            }
        }
        List<ValueInfo> outputs = graph.getOutputList().stream().map(OnnxModelReader::toValueInfo).toList();
        List<Node> nodes = new ArrayList<>();
        Set<String> usedNames = new HashSet<>();
        for (int index = 0; index < graph.getNodeCount(); index++) {
            nodes.add(toNode(graph.getNode(index), index, usedNames));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(entry -> metadata.put(entry.getKey(), entry.getValue()));
        long opset = model.getOpsetImportList().stream()
                .filter(set -> set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx"))
                .mapToLong(OnnxIr.OperatorSetIdProto::getVersion).max()
                .orElseThrow(() -> new ModelLoadException("the model imports no default ONNX operator set"));
        Set<String> available = new HashSet<>(initializers.keySet());
        inputs.forEach(input -> available.add(input.name()));
        return new Graph(graph.getName(), opset, topologicalOrder(nodes, available), initializers, inputs, outputs,
                metadata);
    }

    /** Kahn's algorithm, keeping file order among ready nodes; fails on cycles and on undefined inputs. */
    static List<Node> topologicalOrder(List<Node> nodes, Set<String> available) {
        Map<String, Node> producers = new HashMap<>();
        for (Node node : nodes) {
            for (String output : node.outputs()) {
                if (producers.put(output, node) != null) {
                    throw new ModelLoadException("value '" + output + "' is produced by more than one node");
                }
            }
        }
        Set<String> ready = new HashSet<>(available);
        ready.add("");
        List<Node> ordered = new ArrayList<>();
        Deque<Node> pending = new ArrayDeque<>(nodes);
        int stalled = 0;
        while (!pending.isEmpty()) {
            Node node = pending.pollFirst();
            if (ready.containsAll(node.inputs())) {
                ordered.add(node);
                ready.addAll(node.outputs());
                stalled = 0;
            } else {
                for (String input : node.inputs()) {
                    if (!ready.contains(input) && !producers.containsKey(input)) {
                        throw new ModelLoadException("node " + node.describe() + " reads '" + input
                                + "', which no node, input or initializer defines");
                    }
                }
                pending.addLast(node);
                if (++stalled > pending.size()) {
                    throw new ModelLoadException("the graph has a cycle through node " + node.describe());
                }
            }
        }
        return ordered;
    }

    private static Node toNode(OnnxIr.NodeProto proto, int index, Set<String> usedNames) {
        String name = proto.getName().isEmpty() ? proto.getOpType() + "_" + index : proto.getName();
        while (!usedNames.add(name)) {
            name = name + "_" + index;
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (OnnxIr.AttributeProto attribute : proto.getAttributeList()) {
            attributes.put(attribute.getName(), attributeValue(attribute, name));
        }
        String domain = proto.getDomain().equals("ai.onnx") ? "" : proto.getDomain();
        return new Node(name, proto.getOpType(), domain, proto.getInputList(), proto.getOutputList(),
                new Attributes(attributes));
    }

    private static Object attributeValue(OnnxIr.AttributeProto attribute, String nodeName) {
        OnnxIr.AttributeProto.AttributeType type = attribute.getType();
        return switch (type) {
            case FLOAT -> (double) attribute.getF();
            case INT -> attribute.getI();
            case STRING -> attribute.getS().toStringUtf8();
            case TENSOR -> toTensor(attribute.getT());
            case FLOATS -> {
                double[] values = new double[attribute.getFloatsCount()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = attribute.getFloats(i);
                }
                yield values;
            }
            case INTS -> attribute.getIntsList().stream().mapToLong(Long::longValue).toArray();
            case STRINGS -> String.join(",", attribute.getStringsList().stream().map(ByteString::toStringUtf8)
                    .toList());
            default -> throw new ModelLoadException("node '" + nodeName + "': attribute '" + attribute.getName()
                    + "' has type " + type + ", which this project does not read");
        };
    }

    private static ValueInfo toValueInfo(OnnxIr.ValueInfoProto info) {
        OnnxIr.TypeProto.Tensor tensorType = info.getType().getTensorType();
        List<Integer> dims = tensorType.getShape().getDimList().stream()
                .map(dim -> dim.hasDimValue() ? (int) dim.getDimValue() : -1).toList();
        ElementType type = tensorType.getElemType() == 0 ? ElementType.FLOAT
                : ElementType.fromOnnxCode(tensorType.getElemType());
        return new ValueInfo(info.getName(), type, dims);
    }

    /** Converts a {@code TensorProto} with data in {@code raw_data} or in the typed repeated fields. */
    public static Tensor toTensor(OnnxIr.TensorProto proto) {
        if (proto.getDataLocation() == OnnxIr.TensorProto.DataLocation.EXTERNAL) {
            throw new ModelLoadException("tensor '" + proto.getName()
                    + "' keeps its data in an external file; save the model with its weights inside");
        }
        ElementType type = ElementType.fromOnnxCode(proto.getDataType());
        int[] shape = proto.getDimsList().stream().mapToInt(Long::intValue).toArray();
        int size = Shapes.size(shape);
        if (proto.hasRawData()) {
            return fromRaw(proto, type, shape, size);
        }
        return switch (type) {
            case FLOAT -> {
                double[] values = new double[proto.getFloatDataCount()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = proto.getFloatData(i);
                }
                yield checked(proto, new Tensor(type, shape, values, null), size, values.length);
            }
            case DOUBLE -> checked(proto, new Tensor(type, shape,
                    proto.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray(), null),
                    size, proto.getDoubleDataCount());
            case INT64 -> checked(proto, new Tensor(type, shape,
                    null, proto.getInt64DataList().stream().mapToLong(Long::longValue).toArray()),
                    size, proto.getInt64DataCount());
            default -> checked(proto, new Tensor(type, shape,
                    null, proto.getInt32DataList().stream().mapToLong(Integer::longValue).toArray()),
                    size, proto.getInt32DataCount());
        };
    }

    private static Tensor checked(OnnxIr.TensorProto proto, Tensor tensor, int expected, int found) {
        if (expected != found) {
            throw new ModelLoadException("tensor '" + proto.getName() + "' of shape "
                    + proto.getDimsList() + " expected " + expected + " values, found " + found);
        }
        return tensor;
    }

    private static Tensor fromRaw(OnnxIr.TensorProto proto, ElementType type, int[] shape, int size) {
        ByteBuffer buffer = proto.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.remaining() != (long) size * type.byteSize()) {
            throw new ModelLoadException("tensor '" + proto.getName() + "' of shape " + proto.getDimsList()
                    + " expected " + (long) size * type.byteSize() + " bytes of " + type + ", found "
                    + buffer.remaining());
        }
        if (type.isFloatingPoint()) {
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                values[i] = type == ElementType.FLOAT ? buffer.getFloat() : buffer.getDouble();
            }
            return new Tensor(type, shape, values, null);
        }
        long[] values = new long[size];
        for (int i = 0; i < size; i++) {
            values[i] = switch (type) {
                case INT64 -> buffer.getLong();
                case INT32 -> buffer.getInt();
                case UINT8, BOOL -> buffer.get() & 0xFF;
                default -> buffer.get();
            };
        }
        return new Tensor(type, shape, null, values);
    }
}
