package io.lrpsidecar.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.onnx.proto.OnnxIr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading ONNX files into the graph model, and writing them back. */
class OnnxModelReaderTest {

    @Test
    void readsTheDigitsModel() {
        Graph graph = OnnxModelReader.read(ReferenceCase.folder("cnn_digits").resolve("model.onnx"));
        assertEquals(13, graph.opsetVersion());
        assertEquals(List.of("input"), graph.inputs().stream().map(ValueInfo::name).toList());
        assertEquals(List.of(-1, 1, 8, 8), graph.inputs().get(0).shape());
        assertEquals("logits", graph.outputs().get(0).name());
        assertEquals(12, graph.nodes().size());
        assertArrayEquals(new int[] {8, 1, 3, 3}, graph.initializers().get("conv1.weight").shape());
        Node conv = graph.node("/conv1/Conv").orElseThrow();
        assertArrayEquals(new long[] {1, 1, 1, 1}, conv.attributes().getInts("pads").orElseThrow());
    }

    @Test
    void unknownFieldsSurviveAParseSerializeRoundTrip() throws IOException {
        byte[] original = Files.readAllBytes(ReferenceCase.folder("mlp_tabular").resolve("model.onnx"));
        ByteArrayOutputStream extended = new ByteArrayOutputStream();
        extended.write(original);
        CodedOutputStream extra = CodedOutputStream.newInstance(extended);
        extra.writeString(20 + 5, "a field this project does not model");
        extra.writeInt64(99, 42);
        extra.flush();
        byte[] withUnknown = extended.toByteArray();

        OnnxIr.ModelProto parsed = OnnxIr.ModelProto.parseFrom(withUnknown);

        assertTrue(parsed.getUnknownFields().hasField(25));
        assertTrue(parsed.getUnknownFields().hasField(99));
        assertArrayEquals(withUnknown, parsed.toByteArray());
    }

    @Test
    void readsTensorsFromTypedFieldsAsFromRawData() {
        OnnxIr.TensorProto typed = OnnxIr.TensorProto.newBuilder().setName("w").addDims(2).addDims(2)
                .setDataType(1).addAllFloatData(List.of(1f, -2f, 3.5f, 0.25f)).build();
        Tensor fromTyped = OnnxModelReader.toTensor(typed);
        Tensor fromRaw = OnnxModelReader.toTensor(OnnxModelWriter.toTensor("w", fromTyped));
        assertEquals(fromTyped, fromRaw);
        assertArrayEquals(new double[] {1, -2, 3.5, 0.25}, fromRaw.doubles());

        OnnxIr.TensorProto int64 = OnnxIr.TensorProto.newBuilder().setName("shape").addDims(2).setDataType(7)
                .addAllInt64Data(List.of(0L, -1L)).build();
        assertArrayEquals(new long[] {0, -1}, OnnxModelReader.toTensor(int64).longs());
        OnnxIr.TensorProto doubles = OnnxIr.TensorProto.newBuilder().setName("d").addDims(1).setDataType(11)
                .addDoubleData(0.1).build();
        assertEquals(0.1, OnnxModelReader.toTensor(doubles).doubles()[0]);
    }

    @Test
    void rejectsTensorsWhoseDataDoesNotMatchTheirShape() {
        OnnxIr.TensorProto shortRaw = OnnxIr.TensorProto.newBuilder().setName("w").addDims(3).setDataType(1)
                .setRawData(ByteString.copyFrom(new byte[8])).build();
        ModelLoadException error = assertThrows(ModelLoadException.class, () -> OnnxModelReader.toTensor(shortRaw));
        assertEquals("tensor 'w' of shape [3] expected 12 bytes of FLOAT, found 8", error.getMessage());
    }

    @Test
    void writtenGraphsReadBackUnchanged() {
        Graph graph = OnnxModelReader.read(ReferenceCase.folder("cnn_digits").resolve("model.onnx"));
        Graph again = OnnxModelReader.read(OnnxModelWriter.write(graph));
        assertEquals(graph.nodes().size(), again.nodes().size());
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node expected = graph.nodes().get(i);
            Node actual = again.nodes().get(i);
            assertEquals(List.of(expected.name(), expected.opType(), expected.inputs(), expected.outputs(),
                    expected.attributes().toString()), List.of(actual.name(), actual.opType(), actual.inputs(),
                    actual.outputs(), actual.attributes().toString()));
        }
        assertEquals(graph.initializers(), again.initializers());
        assertEquals(graph.inputs().get(0).shape(), again.inputs().get(0).shape());
    }

    @Test
    void rejectsBytesThatAreNotAModel() {
        ModelLoadException error = assertThrows(ModelLoadException.class,
                () -> OnnxModelReader.read(new byte[] {8, 7}));
        assertTrue(error.getMessage().startsWith("not an ONNX model: expected a ModelProto with a graph of nodes"),
                error.getMessage());
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xFF);
        assertThrows(ModelLoadException.class, () -> OnnxModelReader.read(garbage));
    }

    @Test
    void namesNodesThatHaveNoName() {
        OnnxIr.ModelProto model = OnnxIr.ModelProto.newBuilder()
                .addOpsetImport(OnnxIr.OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(OnnxIr.GraphProto.newBuilder()
                        .addNode(OnnxIr.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y"))
                        .addInput(OnnxIr.ValueInfoProto.newBuilder().setName("x"))
                        .addOutput(OnnxIr.ValueInfoProto.newBuilder().setName("y")))
                .build();
        Graph graph = OnnxModelReader.read(model.toByteArray());
        assertEquals("Relu_0", graph.nodes().get(0).name());
        assertEquals(Map.of(), graph.initializers());
    }
}
