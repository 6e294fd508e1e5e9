package io.lrpsidecar.npy;

import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;

/**
 * A NumPy array as read from or written to a {@code .npy} file: its values and the dtype it had on disk.
 *
 * @param tensor the values and shape
 * @param dtype  the element type in the file (float32, float64, int32 or int64)
 */
public record NpyArray(Tensor tensor, ElementType dtype) {
}
