package io.lrpsidecar.graph;

/** ONNX tensor element types that the project reads, with their {@code TensorProto.DataType} codes. */
public enum ElementType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    INT32(6, 4),
    INT64(7, 8),
    BOOL(9, 1),
    DOUBLE(11, 8);

    private final int onnxCode;
    private final int byteSize;

    ElementType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    public int onnxCode() {
        return onnxCode;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT || this == DOUBLE;
    }

    /** The element type with the given ONNX code, or throws naming the unsupported code. */
    public static ElementType fromOnnxCode(int code) {
        for (ElementType type : values()) {
            if (type.onnxCode == code) {
                return type;
            }
        }
        throw new ModelLoadException("unsupported tensor element type code " + code
                + " (supported: float, double, int8, uint8, int32, int64, bool)");
    }
}
