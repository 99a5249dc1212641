package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import jgrad.cli.DeviceReport.CudaGpu;
import jgrad.cli.DeviceReport.NvmlGpu;
import jgrad.cli.DeviceReport.NvmlSection;

/**
 * A device's theoretical peaks, for the "of peak" column. Null where jgrad does not know the
 * figure: the CPU gets measured numbers only (its peak depends on turbo, AVX clocks and what else
 * shares the cores).
 *
 * @param fp32Gflops  CUDA-core FP32: SMs × FP32 lanes per SM × 2 (an FMA) × max SM clock
 * @param tf32Gflops  dense TF32 tensor-core math: SMs × TF32 FLOP per clock per SM × max SM clock
 * @param memoryGBs   DRAM: memory clock × 2 (double data rate) × bus width / 8
 * @param pcieGBs     host link per direction: transfer rate × lanes × encoding efficiency / 8
 * @param basis       where the inputs came from, e.g. "NVML max clocks, JCuda SM count"
 */
record Peak(Double fp32Gflops, Double tf32Gflops, Double memoryGBs, Double pcieGBs, String basis) {
    static final Peak NONE = new Peak(null, null, null, null, "measured numbers only");

    /**
     * FP32 lanes (FMA units) per SM by compute capability, from NVIDIA's architecture whitepapers.
     * Not "128 for sm_80+": the A100 (8.0) has 64, the consumer Ampere/Ada parts (8.6, 8.9) and
     * Hopper (9.0) have 128. Null for unknown architectures.
     */
    static Integer fp32LanesPerSm(int major, int minor) {
        return switch (major) {
            case 5 -> 128;
            case 6 -> minor == 0 ? 64 : 128;
            case 7 -> 64;
            case 8 -> minor == 0 ? 64 : 128;
            case 9, 10, 12 -> 128;
            default -> null;
        };
    }

    /**
     * Dense TF32 tensor-core FLOP per clock per SM: A100 (8.0) 1024 (156 TFLOP/s at 108 SMs, 1.41 GHz),
     * GA10x/AD10x (8.6, 8.9) 256, H100 (9.0) 2048. NVIDIA quotes Hopper's at its 1.83 GHz tensor
     * boost, below the max SM clock, so the fraction computed here is slightly pessimistic there.
     */
    static Integer tf32FlopsPerClockPerSm(int major, int minor) {
        if (major == 8) {
            return minor == 0 ? 1024 : minor == 6 || minor == 7 || minor == 9 ? 256 : null;
        }
        return major == 9 ? 2048 : null;
    }

    /** Per-direction PCIe bandwidth in GB/s for a link generation and width; null for an unknown generation. */
    static Double pcieGBs(long generation, long lanes) {
        double gts;
        double efficiency;
        switch ((int) generation) {
            case 1 -> { gts = 2.5; efficiency = 0.8; }     // 8b/10b
            case 2 -> { gts = 5; efficiency = 0.8; }
            case 3 -> { gts = 8; efficiency = 128.0 / 130; } // 128b/130b
            case 4 -> { gts = 16; efficiency = 128.0 / 130; }
            case 5 -> { gts = 32; efficiency = 128.0 / 130; }
            case 6 -> { gts = 64; efficiency = 242.0 / 256; } // FLIT mode
            default -> { return null; }
        }
        return gts * lanes * efficiency / 8;
    }

    /**
     * A GPU's peaks from its compute capability, SM count and clocks (MHz); any input null or
     * non-positive leaves the figures that need it null.
     */
    static Peak gpu(String computeCapability, Integer sms, Long smClockMHz, Long memClockMHz, Long busWidthBits,
                    Long pcieGen, Long pcieWidth, String basis) {
        Integer lanes = null;
        Integer tf32 = null;
        if (computeCapability != null && computeCapability.matches("\\d+\\.\\d+")) {
            String[] mm = computeCapability.split("\\.");
            lanes = fp32LanesPerSm(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
            tf32 = tf32FlopsPerClockPerSm(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
        }
        boolean clocks = sms != null && sms > 0 && smClockMHz != null && smClockMHz > 0;
        Double fp32 = clocks && lanes != null ? sms * lanes * 2.0 * smClockMHz / 1000.0 : null;
        Double tf = clocks && tf32 != null ? sms * (double) tf32 * smClockMHz / 1000.0 : null;
        Double mem = memClockMHz != null && memClockMHz > 0 && busWidthBits != null && busWidthBits > 0
                ? memClockMHz * 2.0 * busWidthBits / 8 / 1000.0 : null;
        Double pcie = pcieGen != null && pcieWidth != null && pcieWidth > 0 ? pcieGBs(pcieGen, pcieWidth) : null;
        return new Peak(fp32, tf, mem, pcie, basis);
    }

    /**
     * A GPU's peaks: the SM count from JCuda; max SM and memory clocks, bus width and PCIe link
     * from NVML where NVML gives them for the GPU on the same PCI bus, else JCuda's clock
     * attributes (no PCIe figure then). Field by field, so a GPU NVML knows but without some
     * property (a vGPU, the simulator: "Not Supported") is not reported as absent from NVML; the
     * basis says where each input came from and why NVML's was not used.
     */
    static Peak of(CudaGpu c, NvmlSection nvml) {
        NvmlGpu n = onBus(nvml, c.busId());
        if (n == null) {
            String why = nvml == null ? "not read" : !nvml.available() ? nvml.reason() : "no GPU on bus " + c.busId();
            return gpu(c.computeCapability(), c.multiprocessors(), (long) c.smClockMHz(), (long) c.memoryClockMHz(),
                    (long) c.memoryBusWidthBits(), null, null, "JCuda clock attributes (NVML: " + why + ")");
        }
        boolean pcie = n.pcieMaxGeneration() != null && n.pcieMaxWidth() != null;
        if (n.maxSmClockMHz() != null && n.maxMemoryClockMHz() != null && n.memoryBusWidthBits() != null && pcie) {
            return gpu(c.computeCapability(), c.multiprocessors(), n.maxSmClockMHz(), n.maxMemoryClockMHz(),
                    n.memoryBusWidthBits(), n.pcieMaxGeneration(), n.pcieMaxWidth(),
                    "NVML max clocks and PCIe link, JCuda SM count");
        }
        List<String> fromNvml = new ArrayList<>();
        List<String> fromJcuda = new ArrayList<>(List.of("SM count"));
        Long sm = pick(n.maxSmClockMHz(), c.smClockMHz(), "max SM clock", "SM clock", fromNvml, fromJcuda);
        Long mem = pick(n.maxMemoryClockMHz(), c.memoryClockMHz(), "max memory clock", "memory clock", fromNvml,
                fromJcuda);
        Long bus = pick(n.memoryBusWidthBits(), c.memoryBusWidthBits(), "memory bus width", "memory bus width",
                fromNvml, fromJcuda);
        if (pcie) {
            fromNvml.add("PCIe link");
        }
        String basis = (fromNvml.isEmpty() ? "" : "NVML " + String.join(", ", fromNvml) + "; ") + "JCuda "
                + String.join(", ", fromJcuda) + (pcie ? "" : "; PCIe link unknown") + "; NVML GPU " + n.index()
                + " on bus " + n.busId() + ": " + String.join(", ", gaps(n));
        return gpu(c.computeCapability(), c.multiprocessors(), sm, mem, bus, pcie ? n.pcieMaxGeneration() : null,
                pcie ? n.pcieMaxWidth() : null, basis);
    }

    /** NVML's GPU whose PCI bus id is {@code busId} (NVML and CUDA both write domain:bus:device.function), or null. */
    static NvmlGpu onBus(NvmlSection nvml, String busId) {
        if (nvml == null || !nvml.available() || busId == null) {
            return null;
        }
        return nvml.gpus().stream().filter(n -> busId.equalsIgnoreCase(n.busId())).findFirst().orElse(null);
    }

    private static Long pick(Long nvml, int jcuda, String nvmlName, String jcudaName, List<String> fromNvml,
                             List<String> fromJcuda) {
        if (nvml != null) {
            fromNvml.add(nvmlName);
            return nvml;
        }
        fromJcuda.add(jcudaName);
        return (long) jcuda;
    }

    /** The NVML notes about the properties peaks need, e.g. "max SM clock: Not Supported". */
    private static List<String> gaps(NvmlGpu n) {
        List<String> out = n.notes().stream().filter(s -> s.startsWith("max SM clock") || s.startsWith("max memory clock")
                || s.startsWith("memory bus width") || s.startsWith("max PCIe")).toList();
        return out.isEmpty() ? List.of("some properties not given") : out;
    }
}
