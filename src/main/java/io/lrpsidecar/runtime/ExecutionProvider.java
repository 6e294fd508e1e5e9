package io.lrpsidecar.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The ONNX Runtime execution provider an explainer runs on, chosen from a {@link DeviceChoice}: {@code auto} takes
 * CUDA when the loaded ONNX Runtime has it and it initialises (CUDA 12 + cuDNN 9 present), and otherwise falls back
 * to CPU with one WARN line; {@code gpu} fails fast with the reason; {@code cpu} never tries CUDA. CUDA runs with
 * TF32 off ({@link CudaProviderOptions}), which is logged once per process at INFO.
 *
 * @param name   the provider name as ONNX Runtime reports it ({@code CPUExecutionProvider}, ...)
 * @param device the device the provider computes on (for CUDA, the GPU whose id the provider options name; DJL
 *               models are created on the CPU device either way, see {@link CompiledExplainer})
 */
public record ExecutionProvider(String name, Device device) {
    private static final System.Logger LOG = System.getLogger(ExecutionProvider.class.getName());

    public static final String CPU = "CPUExecutionProvider";
    public static final String CUDA = "CUDAExecutionProvider";

    /** Whether the CUDA choice has been logged in this process (tests reset it). */
    static final AtomicBoolean CUDA_CHOICE_LOGGED = new AtomicBoolean();

    public boolean isGpu() {
        return device.isGpu();
    }

    /** Chooses with the CUDA probe of the ONNX Runtime on the class path. */
    public static ExecutionProvider select(DeviceChoice choice) {
        return select(choice, ExecutionProvider::probeCuda);
    }

    /**
     * Chooses with a given CUDA probe, which returns {@code null} when CUDA is usable and otherwise the reason it is
     * not.
     */
    static ExecutionProvider select(DeviceChoice choice, Supplier<String> cudaProblem) {
        if (choice == DeviceChoice.CPU) {
            return new ExecutionProvider(CPU, Device.cpu());
        }
        String problem = cudaProblem.get();
        if (problem == null) {
            if (CUDA_CHOICE_LOGGED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.INFO, CudaProviderOptions.CHOICE);
            }
            return new ExecutionProvider(CUDA, Device.gpu());
        }
        if (choice == DeviceChoice.GPU) {
            throw new GpuUnavailableException("device=gpu was requested but CUDA cannot be used: " + problem
                    + ". Use device=auto to fall back to CPU, or build with -Pgpu on a machine with CUDA 12 and"
                    + " cuDNN 9");
        }
        LOG.log(System.Logger.Level.WARNING, "CUDA is not usable (" + problem
                + "); explainers run on the CPU (CPUExecutionProvider)");
        return new ExecutionProvider(CPU, Device.cpu());
    }

    /**
     * {@code null} if CUDA can be used, else the reason: the loaded ONNX Runtime has no CUDA provider (the CPU build),
     * or the provider, with the options sessions get, fails to initialise (no CUDA 12 / cuDNN 9, no GPU). Initialises
     * DJL's engine before touching ONNX Runtime.
     */
    public static String probeCuda() {
        Engine.getEngine("OnnxRuntime");
        EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            return "the ONNX Runtime on the class path has no CUDA provider (providers: " + providers
                    + "; the GPU build is made with -Pgpu)";
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            CudaProviderOptions.register(options, 0);
            return null;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            return "the CUDA provider failed to initialise: " + e.getMessage();
        }
    }
}
