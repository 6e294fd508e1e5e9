package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.faithfulness.Baseline;
import io.lrpsidecar.faithfulness.RegionSpec;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The faithfulness settings are parsed and checked against the model at start-up, with messages that say why. */
class FaithfulnessSamplingTest {
    private static final Path DEMO = Path.of("src/main/resources/demo");
    private static final Function<String, Tensor> NO_FILES = file -> {
        throw new AssertionError("no file expected, asked for " + file);
    };

    private static String refused(Runnable parse) {
        return assertThrows(IllegalArgumentException.class, parse::run).getMessage();
    }

    @Test
    void theConfigurationTextBecomesSettings() {
        assertEquals(FaithfulnessSampling.defaults(), FaithfulnessSampling.parse(0.01, 8, "1", "zero", NO_FILES));
        FaithfulnessSampling blur = FaithfulnessSampling.parse(0.5, 4, "2x2", "blur:2.5", NO_FILES);
        assertEquals(new Baseline.Blur(2.5), blur.baseline());
        assertEquals(new RegionSpec(2, 2), blur.region());
        assertEquals(new Baseline.Blur(1.0), FaithfulnessSampling.parse(1, 8, "1", "blur", NO_FILES).baseline());
        assertEquals(new Baseline.Pad(3), FaithfulnessSampling.parse(1, 8, "1", "pad:3", NO_FILES).baseline());
        Baseline file = FaithfulnessSampling.parse(1, 8, "1", "@mean.npy", name -> Tensor.of(new int[] {2},
                new double[] {0.25, 0.5})).baseline();
        assertEquals("@mean.npy", file.describe());
        assertArrayEquals(new double[] {0.25, 0.5}, file.forRow(new double[2], new int[] {2}));
    }

    @Test
    void badValuesAreRefusedNamingTheSetting() {
        assertEquals("expected faithfulness.sample to be a fraction from 0 to 1, found 1.5",
                refused(() -> FaithfulnessSampling.parse(1.5, 8, "1", "zero", NO_FILES)));
        assertTrue(refused(() -> FaithfulnessSampling.parse(Double.NaN, 8, "1", "zero", NO_FILES))
                .contains("found NaN"));
        assertEquals("expected faithfulness.steps to be at least 1, found 0",
                refused(() -> FaithfulnessSampling.parse(0.1, 0, "1", "zero", NO_FILES)));
        assertEquals("faithfulness.baseline 'mean': expected zero, blur, blur:SIGMA, pad:ID or @file.npy (one "
                + "input row)", refused(() -> FaithfulnessSampling.parse(0.1, 8, "1", "mean", NO_FILES)));
        assertEquals("faithfulness.baseline 'blur:wide': expected a number after the colon (blur:SIGMA, pad:ID), "
                + "found 'wide'", refused(() -> FaithfulnessSampling.parse(0.1, 8, "1", "blur:wide", NO_FILES)));
        assertEquals("expected a blur sigma above 0, found -1.0",
                refused(() -> FaithfulnessSampling.parse(0.1, 8, "1", "blur:-1", NO_FILES)));
        assertTrue(refused(() -> FaithfulnessSampling.parse(0.1, 8, "0x3", "zero", NO_FILES))
                .startsWith("region '0x3'"));
    }

    private static ServedModel serve(String model, FaithfulnessSampling sampling) {
        return new ServedModel(model, "1", "sha", ExplainableModel.load(DEMO.resolve(model + ".onnx")),
                new ModelSettings("epsilon", TargetPolicy.PREDICTED, List.of(), 4, Duration.ofSeconds(1), 1.0, 0.0,
                        1e-3, 1 << 20, 5).withFaithfulness(sampling), new RuntimeSettings(DeviceChoice.CPU, 1, 1),
                TopologyFixture.PARSER);
    }

    @Test
    void settingsThatDoNotFitTheModelAreRefusedAtStartUp() {
        assertEquals("model breast_cancer: faithfulness: the blur baseline needs image rows (rank 2 or more), "
                + "found [30]", refused(() -> serve("breast_cancer", new FaithfulnessSampling(0.1, 8,
                        RegionSpec.SINGLE, new Baseline.Blur(1)))));
        assertTrue(refused(() -> serve("breast_cancer", new FaithfulnessSampling(0.1, 8, new RegionSpec(2, 2),
                new Baseline.Zero()))).startsWith("model breast_cancer: faithfulness: region 2x2 needs an input of "
                        + "rank 2 or more"));
        assertEquals("model digits: faithfulness: pad:ID replaces token ids, but input 'input' holds FLOAT values; "
                + "expected zero, blur[:SIGMA] or @file.npy", refused(() -> serve("digits",
                        new FaithfulnessSampling(0.1, 8, RegionSpec.SINGLE, new Baseline.Pad(0)))));
        assertEquals("model digits: faithfulness: the @short.npy baseline holds 3 values, expected one per element "
                + "of a row [1, 8, 8] (64)", refused(() -> serve("digits", new FaithfulnessSampling(0.1, 8,
                        RegionSpec.SINGLE, new Baseline.Fixed("@short.npy", new double[3])))));
    }

    @Test
    void aModelThatSamplesNothingHasNoForwardPass() {
        try (ServedModel off = serve("digits", FaithfulnessSampling.off());
                ServedModel on = serve("digits", FaithfulnessSampling.defaults())) {
            assertTrue(off.forward().isEmpty());
            assertEquals(10, on.forward().orElseThrow().logits(Tensor.of(new int[] {1, 1, 8, 8}, new double[64]))[0]
                    .length);
        }
    }
}
