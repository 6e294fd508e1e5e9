package io.lrpsidecar.graph;

import com.google.protobuf.ByteString;
import io.lrpsidecar.onnx.proto.OnnxIr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/** Writes a {@link Graph} as an ONNX {@code ModelProto} (IR version 8, weights inline as {@code raw_data}). */
public final class OnnxModelWriter {
    private static final long IR_VERSION = 8;

    private OnnxModelWriter() {
    }

    public static byte[] write(Graph graph) {
        return toProto(graph).toByteArray();
    }

    public static OnnxIr.ModelProto toProto(Graph graph) {
        OnnxIr.ModelProto.Builder model = OnnxIr.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("lrp-sidecar")
                .setGraph(toGraph(graph))
                .addOpsetImport(OnnxIr.OperatorSetIdProto.newBuilder().setDomain("").setVersion(graph.opsetVersion()));
        for (Map.Entry<String, String> entry : graph.metadata().entrySet()) {
            model.addMetadataProps(OnnxIr.StringStringEntryProto.newBuilder()
                    .setKey(entry.getKey()).setValue(entry.getValue()));
        }
        return model.build();
    }

    /** The graph alone (a model's main graph, or the body of a control-flow node such as {@code Scan}). */
    private static OnnxIr.GraphProto toGraph(Graph graph) {
        OnnxIr.GraphProto.Builder proto = OnnxIr.GraphProto.newBuilder().setName(graph.name());
        for (Node node : graph.nodes()) {
            proto.addNode(toNode(node));
        }
        graph.initializers().forEach((name, tensor) -> proto.addInitializer(toTensor(name, tensor)));
        graph.inputs().forEach(input -> proto.addInput(toValueInfo(input)));
        graph.outputs().forEach(output -> proto.addOutput(toValueInfo(output)));
        return proto.build();
    }

    private static OnnxIr.NodeProto toNode(Node node) {
        OnnxIr.NodeProto.Builder proto = OnnxIr.NodeProto.newBuilder()
                .setName(node.name()).setOpType(node.opType()).setDomain(node.domain())
                .addAllInput(node.inputs()).addAllOutput(node.outputs());
        node.attributes().values().forEach((name, value) -> proto.addAttribute(toAttribute(name, value)));
        return proto.build();
    }

    private static OnnxIr.AttributeProto toAttribute(String name, Object value) {
        OnnxIr.AttributeProto.Builder proto = OnnxIr.AttributeProto.newBuilder().setName(name);
        if (value instanceof Long integer) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.INT).setI(integer);
        } else if (value instanceof Double real) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.FLOAT).setF(real.floatValue());
        } else if (value instanceof String text) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(text));
        } else if (value instanceof long[] ints) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.INTS);
            for (long integer : ints) {
                proto.addInts(integer);
            }
        } else if (value instanceof double[] floats) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.FLOATS);
            for (double real : floats) {
                proto.addFloats((float) real);
            }
        } else if (value instanceof Tensor tensor) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.TENSOR).setT(toTensor(name, tensor));
        } else if (value instanceof Graph body) {
            proto.setType(OnnxIr.AttributeProto.AttributeType.GRAPH).setG(toGraph(body));
        } else {
            throw new IllegalArgumentException("attribute '" + name + "' has unsupported value type "
                    + value.getClass().getSimpleName());
        }
        return proto.build();
    }

    public static OnnxIr.TensorProto toTensor(String name, Tensor tensor) {
        OnnxIr.TensorProto.Builder proto = OnnxIr.TensorProto.newBuilder()
                .setName(name).setDataType(tensor.type().onnxCode());
        for (int dim : tensor.shape()) {
            proto.addDims(dim);
        }
        ByteBuffer buffer = ByteBuffer.allocate(tensor.size() * tensor.type().byteSize())
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < tensor.size(); i++) {
            switch (tensor.type()) {
                case FLOAT -> buffer.putFloat((float) tensor.doubles()[i]);
                case DOUBLE -> buffer.putDouble(tensor.doubles()[i]);
                case INT64 -> buffer.putLong(tensor.longs()[i]);
                case INT32 -> buffer.putInt((int) tensor.longs()[i]);
                default -> buffer.put((byte) tensor.longs()[i]);
            }
        }
        return proto.setRawData(ByteString.copyFrom(buffer.array())).build();
    }

    private static OnnxIr.ValueInfoProto toValueInfo(ValueInfo info) {
        OnnxIr.TensorShapeProto.Builder shape = OnnxIr.TensorShapeProto.newBuilder();
        for (int index = 0; index < info.shape().size(); index++) {
            int dim = info.shape().get(index);
            shape.addDim(dim >= 0
                    ? OnnxIr.TensorShapeProto.Dimension.newBuilder().setDimValue(dim)
                    : OnnxIr.TensorShapeProto.Dimension.newBuilder().setDimParam(index == 0 ? "batch" : "d" + index));
        }
        return OnnxIr.ValueInfoProto.newBuilder().setName(info.name())
                .setType(OnnxIr.TypeProto.newBuilder().setTensorType(OnnxIr.TypeProto.Tensor.newBuilder()
                        .setElemType(info.type().onnxCode()).setShape(shape)))
                .build();
    }
}
