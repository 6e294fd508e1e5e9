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
            case FLOAT16 -> 2;
            case FLOAT32, INT32 -> 4;
            case FLOAT64, INT64 -> 8;
        };
    }

    /** The values of a float16, float32 or float64 wire tensor, widened to double; the caller has validated it. */
    public static double[] values(io.lrpsidecar.events.v1.Tensor wire) {
        ByteBuffer buffer = wire.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = buffer.remaining() / elementSize(wire.getDtype());
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = switch (wire.getDtype()) {
                case FLOAT16 -> Float16.toDouble(buffer.getShort());
                case FLOAT32 -> buffer.getFloat();
                case FLOAT64 -> buffer.getDouble();
                case INT32 -> buffer.getInt();
                case INT64 -> buffer.getLong();
            };
        }
        return values;
    }

    /**
     * The values of an int32 or int64 wire tensor as longs (int32 widened exactly); the caller has validated it.
     *
     * @throws IllegalArgumentException for a floating-point tensor (token ids are never rounded from floats)
     */
    public static long[] longs(io.lrpsidecar.events.v1.Tensor wire) {
        if (wire.getDtype() != DataType.INT32 && wire.getDtype() != DataType.INT64) {
            throw new IllegalArgumentException("expected an INT32 or INT64 tensor, found " + wire.getDtype());
        }
        ByteBuffer buffer = wire.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = buffer.remaining() / elementSize(wire.getDtype());
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = wire.getDtype() == DataType.INT32 ? buffer.getInt() : buffer.getLong();
        }
        return values;
    }

    /**
     * Validated wire rows stacked into one engine tensor of shape {@code shape} ({@code [rows, ...row shape]}): token
     * ids as an int64 tensor of longs when {@code tokens}, else floating-point values widened to double.
     */
    public static Tensor rows(List<io.lrpsidecar.events.v1.Tensor> inputs, int[] shape, boolean tokens) {
        int width = inputs.isEmpty() ? 0 : Math.toIntExact((long) io.lrpsidecar.graph.Shapes.size(shape)
                / inputs.size());
        if (tokens) {
            long[] ids = new long[inputs.size() * width];
            for (int row = 0; row < inputs.size(); row++) {
                System.arraycopy(longs(inputs.get(row)), 0, ids, row * width, width);
            }
            return Tensor.ofLongs(shape, ids);
        }
        double[] values = new double[inputs.size() * width];
        for (int row = 0; row < inputs.size(); row++) {
            System.arraycopy(values(inputs.get(row)), 0, values, row * width, width);
        }
        return Tensor.of(shape, values);
    }

    /** An int64 wire tensor with the given shape and values. */
    public static io.lrpsidecar.events.v1.Tensor int64(List<Long> shape, long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            buffer.putLong(value);
        }
        buffer.flip();
        return io.lrpsidecar.events.v1.Tensor.newBuilder().setDtype(DataType.INT64)
                .setShape(new ArrayList<>(shape)).setData(buffer).build();
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

    /**
     * A float16 wire tensor with the given shape and values, each rounded to the nearest half (ties to even; from
     * 65520 in magnitude to infinity, see {@link Float16}).
     */
    public static io.lrpsidecar.events.v1.Tensor float16(List<Long> shape, double[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            buffer.putShort(Float16.fromDouble(value));
        }
        buffer.flip();
        return io.lrpsidecar.events.v1.Tensor.newBuilder().setDtype(DataType.FLOAT16)
                .setShape(new ArrayList<>(shape)).setData(buffer).build();
    }

    /** A float32 wire tensor with the shape and values of an engine tensor. */
    public static io.lrpsidecar.events.v1.Tensor float32(Tensor tensor) {
        List<Long> shape = new ArrayList<>();
        for (int dim : tensor.shape()) {
            shape.add((long) dim);
        }
        return float32(shape, tensor.asDoubles());
    }
}
