package io.lrpsidecar.runtime;

import static io.lrpsidecar.RelevanceAssertions.assertRelativeL2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.compiler.ExplainerCompiler;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA provider options turn TF32 off: the option map, the ONNX Runtime options object built from it (with the
 * {@code -Pgpu} build, which can build one without a GPU), and, on a machine with a usable CUDA, the explainer's
 * agreement with zennit.
 */
class CudaProviderOptionsTest {
    @TempDir
    Path work;

    @Test
    void theOptionMapNamesTheDeviceAndTurnsTf32Off() {
        assertEquals(Map.of("device_id", "0", "use_tf32", "0"), CudaProviderOptions.exactFp32(0));
        assertEquals(Map.of("device_id", "3", "use_tf32", "0"), CudaProviderOptions.exactFp32(3));
    }

    @Test
    void aNegativeDeviceIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> CudaProviderOptions.exactFp32(-1));
        assertEquals("a CUDA device id is >= 0, found -1", error.getMessage());
    }

    @Test
    void theGpuBuildsOptionsObjectCarriesTf32Off() throws OrtException {
        assumeTrue(OnnxRuntimeJar.onClassPath().isGpuBuild(), "runs with the -Pgpu build of ONNX Runtime");
        try (OrtCUDAProviderOptions options = CudaProviderOptions.toOrt(CudaProviderOptions.exactFp32(0))) {
            assertEquals(Map.of("device_id", "0", "use_tf32", "0"), parse(options.getOptionsString()));
        }
    }

    @Test
    void theCpuBuildCannotBuildCudaOptionsAndSaysSo() {
        assumeTrue(!OnnxRuntimeJar.onClassPath().isGpuBuild(), "runs with the CPU build of ONNX Runtime");
        OrtException error = assertThrows(OrtException.class,
                () -> CudaProviderOptions.toOrt(CudaProviderOptions.exactFp32(0)));
        assertTrue(error.getMessage().contains("Failed to find CUDA shared provider"), error.getMessage());
    }

    @Test
    void onAUsableCudaTheExplainerAgreesWithZennit() {
        assumeTrue(ExecutionProvider.probeCuda() == null, "runs where CUDA can be used (GPU build, CUDA 12, cuDNN 9)");
        ReferenceCase.all().forEach(referenceCase -> {
            ExplainableModel model = ExplainableModel.load(referenceCase.modelFile());
            Composite composite = new CompositeParser(file -> Npy.read(Path.of(file)).tensor())
                    .parse(referenceCase.compositeSpec(work));
            Tensor input = Npy.read(referenceCase.inputFile()).tensor();
            Target target = referenceCase.target();
            try (CompiledExplainer compiled = new CompiledExplainer(
                    ExplainerCompiler.compile(model, composite, InitMode.ONEHOT),
                    new RuntimeSettings(DeviceChoice.GPU, 1, 1))) {
                assertEquals(ExecutionProvider.CUDA, compiled.executionProvider().name());
                Explanation actual = compiled.explain(input, target, InitMode.ONEHOT);
                assertRelativeL2(actual.relevance(), referenceCase.expectedRelevance(), 1e-4,
                        referenceCase + " on CUDA vs zennit");
            }
        });
    }

    private static Map<String, String> parse(String optionsString) {
        return Arrays.stream(optionsString.split(";")).filter(pair -> !pair.isEmpty())
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1], (a, b) -> b, LinkedHashMap::new));
    }
}
