package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Class names and feature scalers that do not fit the model are refused when it is served, with one clear line. */
class PresentationSettingsTest {
    private static final Path MODEL = Path.of("src", "main", "resources", "demo", "breast_cancer.onnx");

    private static ServedModel serve(ModelSettings.Presentation presentation) {
        ModelSettings settings = new ModelSettings("epsilon", TargetPolicy.PREDICTED, List.of(), 1,
                Duration.ofMillis(50), 1.0, 0.0, 1e-3, 1 << 20, 5).withPresentation(presentation);
        return new ServedModel("breast_cancer", "1", "sha", ExplainableModel.load(MODEL), settings,
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), TopologyFixture.PARSER);
    }

    private static FeatureScaler standard(int features) {
        return FeatureScaler.standard(Collections.nCopies(features, 0.0), Collections.nCopies(features, 1.0));
    }

    @Test
    void classNamesMustNameEveryClass() {
        var tooMany = assertThrows(IllegalArgumentException.class, () -> serve(new ModelSettings.Presentation(
                List.of("malignant", "benign", "unknown"), 5, Optional.empty())));
        assertEquals("model breast_cancer: expected 2 class names (one per class of 'logits'), found 3: "
                + "[malignant, benign, unknown]", tooMany.getMessage());
        var tooFew = assertThrows(IllegalArgumentException.class, () -> serve(new ModelSettings.Presentation(
                List.of("malignant"), 5, Optional.empty())));
        assertEquals("model breast_cancer: expected 2 class names (one per class of 'logits'), found 1: "
                + "[malignant]", tooFew.getMessage());
    }

    @Test
    void theScalerMustHaveOneStatisticPerFeature() {
        var wrong = assertThrows(IllegalArgumentException.class, () -> serve(new ModelSettings.Presentation(
                List.of(), 5, Optional.of(standard(29)))));
        assertEquals("model breast_cancer: expected a feature scaler of 30 values per statistic (one per feature "
                + "of input 'input', shape [30]), found 29", wrong.getMessage());
    }

    @Test
    void fittingNamesAndScalerAreServed() {
        try (ServedModel served = serve(new ModelSettings.Presentation(List.of("malignant", "benign"), 5,
                Optional.of(standard(30))))) {
            assertEquals(List.of("malignant", "benign"), served.settings().presentation().classNames());
        }
    }

    @Test
    void scalerStatisticsComeInPairsOfEqualLength() {
        var standard = assertThrows(IllegalArgumentException.class, () -> FeatureScaler.standard(List.of(1.0, 2.0),
                List.of(1.0)));
        assertEquals("expected a feature scaler with as many mean as std values, found 2 and 1",
                standard.getMessage());
        var minMax = assertThrows(IllegalArgumentException.class, () -> FeatureScaler.minMax(List.of(0.0),
                List.of(1.0, 2.0)));
        assertEquals("expected a feature scaler with as many min as max values, found 1 and 2", minMax.getMessage());
        var inverted = assertThrows(IllegalArgumentException.class, () -> FeatureScaler.minMax(List.of(5.0),
                List.of(1.0)));
        assertEquals("expected feature scaler max >= min, found feature 0 with min 5.0 and max 1.0",
                inverted.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> FeatureScaler.standard(List.of(0.0),
                List.of(-1.0)));
        assertEquals("expected finite feature scaler values and a non-negative std, found feature 0 with mean 0.0 "
                + "and std -1.0", negative.getMessage());
    }

    @Test
    void rawValuesInvertTheScaling() {
        FeatureScaler standard = FeatureScaler.standard(List.of(14.1, 19.3), List.of(3.6, 4.4));
        assertEquals(14.1 + 2 * 3.6, standard.raw(0, 2.0), 1e-12);
        assertEquals(19.3 - 0.5 * 4.4, standard.raw(1, -0.5), 1e-12);
        FeatureScaler minMax = FeatureScaler.minMax(List.of(10.0, -1.0), List.of(20.0, 1.0));
        assertEquals(15.0, minMax.raw(0, 0.5), 1e-12);
        assertEquals(1.0, minMax.raw(1, 1.0), 1e-12);
        assertEquals(-1.0, minMax.raw(1, 0.0), 1e-12);
    }
}
