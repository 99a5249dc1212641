package jgrad.cli;

import java.util.List;

/**
 * Everything {@code jgrad devices} reports, as plain values: filled by the readers (NVML, JCuda,
 * /proc), printed by {@link DevicesText}, serialised as is for {@code --json}. A field is null when
 * its source could not say; the section's notes say why.
 */
record DeviceReport(String jgradVersion, Cpu cpu, NvmlSection nvml, CudaSection cuda, List<SelfTest> selftest) {

    /** The host CPU and what jgrad's kernels use of it. */
    record Cpu(String model, int logicalCores, int jgradThreads, int simdBits, int floatsPerVector,
               List<String> simdFlags, Long memoryTotalBytes, Long memoryAvailableBytes, long jvmMaxHeapBytes,
               String java, String os) {}

    /**
     * What NVML (libnvidia-ml.so.1) says. {@code available} false: {@code reason} says why and the
     * rest is empty.
     */
    record NvmlSection(boolean available, String reason, String driverVersion, String cudaDriverVersion,
                       List<NvmlGpu> gpus, List<GpuProcess> processes, List<String> notes) {
        static NvmlSection unavailable(String reason) {
            return new NvmlSection(false, reason, null, null, List.of(), List.of(), List.of());
        }
    }

    /** One GPU as nvidia-smi shows it; null fields are "N/A" (the notes say why). */
    record NvmlGpu(int index, String name, String uuid, String busId, Boolean persistenceMode, Long temperatureC,
                   String perfState, Double powerDrawW, Double powerCapW, Long memoryUsedBytes, Long memoryTotalBytes,
                   Long gpuUtilPercent, Long memoryUtilPercent, String computeMode, String computeCapability,
                   Long maxSmClockMHz, Long maxMemoryClockMHz, Long memoryBusWidthBits, Long pcieMaxGeneration,
                   Long pcieMaxWidth, List<String> notes) {}

    /** A process holding a context on a GPU; type C (compute), G (graphics) or C+G. */
    record GpuProcess(int gpu, long pid, String type, String name, Long usedBytes) {}

    /**
     * What JCuda says: driver/runtime versions, device properties, and whether cuBLAS and cuDNN load
     * (their versions, or why not). {@code available} false: {@code reason} says why there is no CUDA.
     */
    record CudaSection(boolean available, String reason, String driverVersion, String runtimeVersion,
                       String cublas, String cudnn, List<CudaGpu> gpus) {
        static CudaSection unavailable(String reason) {
            return new CudaSection(false, reason, null, null, null, null, List.of());
        }
    }

    /** JCuda device attributes of one GPU (clocks as reported by the driver, maximum values). */
    record CudaGpu(int index, String name, String computeCapability, int multiprocessors, int smClockMHz,
                   int memoryClockMHz, int memoryBusWidthBits, long totalMemoryBytes, String busId) {}

    /** One provider's tiny-op check: PASS, FAIL or SKIP, with what ran or why not. */
    record SelfTest(String provider, String status, String detail) {
        static SelfTest pass(String provider, String detail) {
            return new SelfTest(provider, "PASS", detail);
        }

        static SelfTest fail(String provider, String detail) {
            return new SelfTest(provider, "FAIL", detail);
        }

        static SelfTest skip(String provider, String detail) {
            return new SelfTest(provider, "SKIP", detail);
        }
    }
}
