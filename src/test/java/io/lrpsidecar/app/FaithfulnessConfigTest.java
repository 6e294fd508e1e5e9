package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.graph.ElementType;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.stream.FaithfulnessSampling;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrp.models.X.faithfulness.*} becomes the model's sampling; a baseline file is read at start-up. */
class FaithfulnessConfigTest {
    private static SidecarConfig.Faithfulness config(double sample, String baseline) {
        return new SidecarConfig.Faithfulness() {
            @Override
            public double sample() {
                return sample;
            }

            @Override
            public int steps() {
                return 8;
            }

            @Override
            public String region() {
                return "1";
            }

            @Override
            public String baseline() {
                return baseline;
            }
        };
    }

    @Test
    void aBaselineFileIsReadFromTheConfiguration(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("mean.npy");
        Npy.write(file, Tensor.of(new int[] {3}, new double[] {0.5, 0.25, 1}), ElementType.FLOAT);
        FaithfulnessSampling sampling = ModelLoader.faithfulness(config(0.5, "@" + file));
        assertEquals(0.5, sampling.sample());
        assertArrayEquals(new double[] {0.5, 0.25, 1}, sampling.baseline().forRow(new double[3], new int[] {3}));
    }

    @Test
    void aMissingFileOrABadValueIsRefusedWithTheSetting(@TempDir Path folder) {
        Path missing = folder.resolve("missing.npy");
        String message = assertThrows(IllegalArgumentException.class,
                () -> ModelLoader.faithfulness(config(0.01, "@" + missing))).getMessage();
        assertTrue(message.startsWith("faithfulness: cannot read the baseline file '" + missing + "': "), message);
        assertEquals("expected faithfulness.sample to be a fraction from 0 to 1, found -0.1", assertThrows(
                IllegalArgumentException.class, () -> ModelLoader.faithfulness(config(-0.1, "zero"))).getMessage());
        assertTrue(Files.notExists(missing));
    }
}
