package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.stream.Float16;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web view's decoder of base64 tensors ({@code LrpImage.values} in {@code image.js}, which the event page uses
 * with {@code ?tensors=base64}) reads FLOAT16 relevance exactly as the service does: all 65,536 half values, run in
 * Node.js (skipped where {@code /usr/bin/node} is missing; the browser test covers the page itself).
 */
class ImageScriptFloat16Test {
    private static final File NODE = new File("/usr/bin/node");

    @Test
    void everyHalfValueDecodesAsTheServiceDecodesIt(@TempDir Path folder) throws Exception {
        Assumptions.assumeTrue(NODE.canExecute(), "needs " + NODE);
        ByteBuffer all = ByteBuffer.allocate(2 * 0x10000).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits = 0; bits < 0x10000; bits++) {
            all.putShort((short) bits);
        }
        Path script = folder.resolve("decode.js");
        Files.writeString(script, Files.readString(Path.of("src/main/resources/META-INF/resources/image.js"))
                + "\nconst decoded = LrpImage.values({dtype: 'FLOAT16', shape: [65536], data: '"
                + Base64.getEncoder().encodeToString(all.array()) + "'});\n"
                + "console.log(Array.from(decoded, (v) => Object.is(v, -0) ? '-0' : String(v)).join('\\n'));\n");
        Process node = new ProcessBuilder(NODE.getPath(), script.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .toList();
        assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node finished");
        assertEquals(0, node.exitValue(), String.join("\n", lines.subList(0, Math.min(20, lines.size()))));
        assertEquals(0x10000, lines.size());
        for (int bits = 0; bits < 0x10000; bits++) {
            double expected = Float16.toDouble((short) bits);
            double actual = Double.parseDouble(lines.get(bits));
            if (Double.isNaN(expected)) {
                assertTrue(Double.isNaN(actual), Integer.toHexString(bits) + ": " + lines.get(bits));
            } else {
                assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
                        Integer.toHexString(bits) + ": expected " + expected + ", found " + lines.get(bits));
            }
        }
    }
}
