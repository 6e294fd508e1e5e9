package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Store keys sort waiting events by partition and offset: the zero padding must be exactly the formatter's. */
class StoreKeyTest {
    @Test
    void zeroPaddingMatchesTheFormatter() {
        long[] values = {0, 7, 42, 1_000_000_007L, 9_999_999_999L, 12_345_678_901L, Long.MAX_VALUE, -1, -42};
        for (long value : values) {
            for (int width : new int[] {10, 20}) {
                assertEquals(String.format("%0" + width + "d", value), BatchProcessor.zeroPadded(value, width),
                        "value " + value + ", width " + width);
            }
        }
    }
}
