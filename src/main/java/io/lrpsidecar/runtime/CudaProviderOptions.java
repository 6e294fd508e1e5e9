package io.lrpsidecar.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of ONNX Runtime's CUDA execution provider for explainers. ONNX Runtime lets cuBLAS and cuDNN use TF32
 * (10-bit mantissa) for float32 matmul and convolutions on Ampere and newer GPUs unless {@code use_tf32=0}; that
 * would break the 1e-4 agreement with zennit, so TF32 is off. The option map is built by {@link #exactFp32}; one thin
 * adapter ({@link #toOrt}) turns it into ONNX Runtime's options object, which only the CUDA build of ONNX Runtime can
 * create.
 */
final class CudaProviderOptions {
    static final String DEVICE_ID = "device_id";
    static final String USE_TF32 = "use_tf32";
    /** The line logged when explainers run on CUDA. */
    static final String CHOICE = "CUDA execution provider with use_tf32=0 (TF32 off for exact fp32 matmul/conv)";

    private CudaProviderOptions() {
    }

    /** The provider options for full float32 matmul and convolutions on one GPU. */
    static Map<String, String> exactFp32(int deviceId) {
        if (deviceId < 0) {
            throw new IllegalArgumentException("a CUDA device id is >= 0, found " + deviceId);
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put(DEVICE_ID, Integer.toString(deviceId));
        options.put(USE_TF32, "0");
        return options;
    }

    /** ONNX Runtime's options object carrying {@code options}; fails when the ONNX Runtime has no CUDA provider. */
    static OrtCUDAProviderOptions toOrt(Map<String, String> options) throws OrtException {
        OrtCUDAProviderOptions ort = new OrtCUDAProviderOptions();
        try {
            for (Map.Entry<String, String> option : options.entrySet()) {
                ort.add(option.getKey(), option.getValue());
            }
        } catch (OrtException | RuntimeException e) {
            ort.close();
            throw e;
        }
        return ort;
    }

    /**
     * Appends the CUDA provider with {@link #exactFp32} options to {@code session}; it must be the only CUDA
     * provider, since ONNX Runtime refuses a session with a provider registered twice.
     */
    static void register(OrtSession.SessionOptions session, int deviceId) throws OrtException {
        try (OrtCUDAProviderOptions cuda = toOrt(exactFp32(deviceId))) {
            session.addCUDA(cuda);
        }
    }
}
