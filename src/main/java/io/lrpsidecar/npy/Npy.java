package io.lrpsidecar.npy;

import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1-3) of little-endian float32, float64, int32 and int64
 * arrays in C order. See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static NpyArray read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new NpyFormatException("file not found: " + path);
        } catch (IOException e) {
            throw new NpyFormatException("cannot read " + path + ": " + e.getMessage());
        }
        try {
            return read(bytes);
        } catch (NpyFormatException e) {
            throw new NpyFormatException(path.getFileName() + ": " + e.getMessage());
        }
    }

    public static NpyArray read(byte[] bytes) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new NpyFormatException("not a .npy file (expected the \\x93NUMPY magic bytes)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        buffer.position(8);
        int headerLength = major == 1 ? Short.toUnsignedInt(buffer.getShort()) : buffer.getInt();
        int dataStart = buffer.position() + headerLength;
        if (dataStart > bytes.length) {
            throw new NpyFormatException("truncated .npy header");
        }
        String header = new String(bytes, buffer.position(), headerLength, StandardCharsets.ISO_8859_1);
        ElementType dtype = dtype(field(DESCR, header, "descr"));
        if (field(FORTRAN, header, "fortran_order").equals("True")) {
            throw new NpyFormatException("array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
        }
        int[] shape = parseShape(field(SHAPE, header, "shape"));
        long size = 1;
        for (int dim : shape) {
            size *= dim;
        }
        long expectedBytes = size * dtype.byteSize();
        if (bytes.length - dataStart != expectedBytes) {
            throw new NpyFormatException("array of shape " + Arrays.toString(shape) + " and dtype "
                    + dtype.name().toLowerCase() + " needs " + expectedBytes + " data bytes, found "
                    + (bytes.length - dataStart));
        }
        buffer.position(dataStart);
        return new NpyArray(values(buffer, dtype, shape, (int) size), dtype);
    }

    private static Tensor values(ByteBuffer buffer, ElementType dtype, int[] shape, int size) {
        if (dtype.isFloatingPoint()) {
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                values[i] = dtype == ElementType.FLOAT ? buffer.getFloat() : buffer.getDouble();
            }
            return new Tensor(dtype, shape, values, null);
        }
        long[] values = new long[size];
        for (int i = 0; i < size; i++) {
            values[i] = dtype == ElementType.INT64 ? buffer.getLong() : buffer.getInt();
        }
        return new Tensor(dtype, shape, null, values);
    }

    /** Writes a tensor as a version-1 {@code .npy} file with the given dtype. */
    public static void write(Path path, Tensor tensor, ElementType dtype) throws IOException {
        Files.write(path, toBytes(tensor, dtype));
    }

    public static byte[] toBytes(Tensor tensor, ElementType dtype) {
        String shape = tensor.rank() == 1 ? "(" + tensor.dim(0) + ",)"
                : Arrays.toString(tensor.shape()).replace('[', '(').replace(']', ')');
        String header = "{'descr': '" + descr(dtype) + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 4 + header.length() + 1;
        header = header + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + tensor.size() * dtype.byteSize())
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buffer.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < tensor.size(); i++) {
            switch (dtype) {
                case FLOAT -> buffer.putFloat((float) tensor.asDoubles()[i]);
                case DOUBLE -> buffer.putDouble(tensor.asDoubles()[i]);
                case INT64 -> buffer.putLong(tensor.asLongs()[i]);
                case INT32 -> buffer.putInt((int) tensor.asLongs()[i]);
                default -> throw new IllegalArgumentException("cannot write dtype " + dtype);
            }
        }
        return buffer.array();
    }

    private static String field(Pattern pattern, String header, String name) {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new NpyFormatException("the .npy header has no '" + name + "' entry: " + header.trim());
        }
        return matcher.group(1);
    }

    private static ElementType dtype(String descr) {
        return switch (descr) {
            case "<f4", "=f4" -> ElementType.FLOAT;
            case "<f8", "=f8" -> ElementType.DOUBLE;
            case "<i4", "=i4" -> ElementType.INT32;
            case "<i8", "=i8" -> ElementType.INT64;
            default -> throw new NpyFormatException("unsupported dtype '" + descr
                    + "'; expected little-endian float32, float64, int32 or int64");
        };
    }

    private static String descr(ElementType dtype) {
        return switch (dtype) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            default -> throw new IllegalArgumentException("cannot write dtype " + dtype);
        };
    }

    private static int[] parseShape(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(part -> !part.isEmpty())
                .mapToInt(part -> {
                    try {
                        return Integer.parseInt(part);
                    } catch (NumberFormatException e) {
                        throw new NpyFormatException("bad shape entry '" + part + "' in the .npy header");
                    }
                }).toArray();
    }
}
