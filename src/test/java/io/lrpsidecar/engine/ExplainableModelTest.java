package io.lrpsidecar.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.OnnxModelReader;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which input is checked and which value is explained when the configuration names them. */
class ExplainableModelTest {
    private final Graph digits = OnnxModelReader.read(ReferenceCase.folder("cnn_digits").resolve("model.onnx"));

    @Test
    void explainsTheFirstOutputByDefaultAndANamedValueOnRequest() {
        assertEquals("logits", ExplainableModel.prepare(digits, true).logits());
        ExplainableModel hidden = ExplainableModel.prepare(digits, true, Optional.of("input"),
                Optional.of("/fc1/Gemm_output_0"));
        assertEquals("/fc1/Gemm_output_0", hidden.logits());
    }

    @Test
    void aWrongInputOrValueNameIsRefusedWithWhatWasFound() {
        ModelLoadException input = assertThrows(ModelLoadException.class, () -> ExplainableModel.prepare(digits,
                true, Optional.of("pixels"), Optional.empty()));
        assertEquals("expected the model input 'pixels', found 'input'", input.getMessage());
        ModelLoadException value = assertThrows(ModelLoadException.class, () -> ExplainableModel.prepare(digits,
                true, Optional.empty(), Optional.of("scores")));
        assertEquals("the model computes no value named 'scores'; outputs: [logits]", value.getMessage());
    }
}
