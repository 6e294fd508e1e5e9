package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.graph.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Converts between the wire {@code Tensor} record (little-endian bytes) and the engine's tensors. */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** The element size of a wire data type in bytes. */
    public static int elementSize(DataType dtype) {
        return switch (dtype) {
            case FLOAT32, INT32 -> 4;
            case FLOAT64, INT64 -> 8;
        };
    }

    /** The values of a float32 or float64 wire tensor, widened to double; the caller has validated it. */
    public static double[] values(io.lrpsidecar.events.v1.Tensor wire) {
        ByteBuffer buffer = wire.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = buffer.remaining() / elementSize(wire.getDtype());
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = switch (wire.getDtype()) {
                case FLOAT32 -> buffer.getFloat();
                case FLOAT64 -> buffer.getDouble();
                case INT32 -> buffer.getInt();
                case INT64 -> buffer.getLong();
            };
        }
        return values;
    }

    /** A float32 wire tensor with the given shape and values. */
    public static io.lrpsidecar.events.v1.Tensor float32(List<Long> shape, double[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            buffer.putFloat((float) value);
        }
        buffer.flip();
        return io.lrpsidecar.events.v1.Tensor.newBuilder().setDtype(DataType.FLOAT32)
                .setShape(new ArrayList<>(shape)).setData(buffer).build();
    }

    public static io.lrpsidecar.events.v1.Tensor float32(Tensor tensor) {
        List<Long> shape = new ArrayList<>();
        for (int dim : tensor.shape()) {
            shape.add((long) dim);
        }
        return float32(shape, tensor.asDoubles());
    }
}
