package io.lrpsidecar.compiler;

import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Shapes;
import io.lrpsidecar.graph.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A value of the graph {@link OnnxPrimitives} emits: the handle rules hold in the compiler. Its shape is the static
 * shape at batch size 1; the batch axis, where the value has one, has extent 1 there and is dynamic in the graph.
 *
 * @param name      the ONNX value name
 * @param type      the element type ({@code FLOAT}, or {@code BOOL} for a comparison's mask)
 * @param shape     the static shape at batch size 1
 * @param batchAxis the axis that follows the batch, or {@code -1} for a value that does not depend on the batch
 *                  (a constant, or one broadcast against every row)
 * @param constant  the value when known at compile time (then {@code batchAxis} is {@code -1}), else {@code null}
 */
public record Value(String name, ElementType type, int[] shape, int batchAxis, Tensor constant) {

    public Value {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        if (batchAxis < -1 || batchAxis >= shape.length || (batchAxis >= 0 && shape[batchAxis] != 1)) {
            throw new IllegalArgumentException("value '" + name + "' of static shape " + Shapes.format(shape)
                    + " cannot have its batch axis at " + batchAxis + ": expected -1 or an axis of extent 1");
        }
        if (constant != null && (batchAxis != -1 || !Arrays.equals(constant.shape(), shape))) {
            throw new IllegalArgumentException("constant value '" + name + "' expected the constant's shape "
                    + Shapes.format(constant.shape()) + " and no batch axis, found shape " + Shapes.format(shape)
                    + " and batch axis " + batchAxis);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Whether the value is known at compile time. */
    public boolean isConstant() {
        return constant != null;
    }

    /** Whether the value follows the batch (has a batch axis). */
    public boolean hasBatchAxis() {
        return batchAxis >= 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Value that && name.equals(that.name) && type == that.type
                && Arrays.equals(shape, that.shape) && batchAxis == that.batchAxis
                && Objects.equals(constant, that.constant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), batchAxis);
    }

    @Override
    public String toString() {
        return name + ":" + type + Shapes.format(shape) + (batchAxis >= 0 ? " batch@" + batchAxis : "")
                + (constant != null ? " constant" : "");
    }
}
