package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jgrad.cli.DeviceReport.CudaGpu;
import jgrad.cli.DeviceReport.NvmlGpu;
import jgrad.cli.DeviceReport.NvmlSection;

import org.junit.jupiter.api.Test;

/** Peaks against NVIDIA's published figures for parts whose clocks and SM counts are public. */
class PeakTest {
    @Test
    void h100SxmMatchesTheDatasheet() {
        // 132 SMs, 1980 MHz max SM clock, HBM3 at 2619 MHz on a 5120-bit bus, PCIe 5 x16.
        Peak p = Peak.gpu("9.0", 132, 1980L, 2619L, 5120L, 5L, 16L, "test");
        assertEquals(66.9, p.fp32Gflops() / 1000, 0.05);          // 67 TFLOP/s FP32
        assertEquals(3352, p.memoryGBs(), 1);                     // 3.35 TB/s
        assertEquals(63.0, p.pcieGBs(), 0.1);                     // 64 GB/s less 128b/130b
        assertEquals(535.3, p.tf32Gflops() / 1000, 0.1);          // 2048 FLOP/clk/SM at the max clock
    }

    @Test
    void a100HasSixtyFourLanesPerSm() {
        Peak p = Peak.gpu("8.0", 108, 1410L, 1215L, 5120L, 4L, 16L, "test");
        assertEquals(19.5, p.fp32Gflops() / 1000, 0.05);          // 19.5 TFLOP/s FP32
        assertEquals(155.9, p.tf32Gflops() / 1000, 0.1);          // 156 TFLOP/s TF32 dense
        assertEquals(1555, p.memoryGBs(), 1);                     // 1.56 TB/s (40 GB)
        assertEquals(31.5, p.pcieGBs(), 0.1);
    }

    @Test
    void unknownInputsLeaveTheirFiguresNull() {
        Peak p = Peak.gpu("4.0", 10, 1000L, null, 256L, 7L, 16L, "test");
        assertNull(p.fp32Gflops());
        assertNull(p.tf32Gflops());
        assertNull(p.memoryGBs());
        assertNull(p.pcieGBs());
        assertNull(Peak.gpu(null, null, null, null, null, null, null, "none").fp32Gflops());
        assertEquals(128, Peak.fp32LanesPerSm(8, 6));
        assertEquals(64, Peak.fp32LanesPerSm(7, 0));
    }

    private static final CudaGpu H100 = new CudaGpu(0, "H100", "9.0", 132, 1755, 2619, 5120, 80L << 30,
            "00000000:19:00.0");

    private static NvmlSection nvml(String busId, Long smClock, Long pcieGen, List<String> notes) {
        NvmlGpu g = new NvmlGpu(0, "H100", "GPU-x", busId, null, null, null, null, null, null, null, null, null,
                "Default", "9.0", smClock, smClock == null ? null : 2619L, smClock == null ? null : 5120L, pcieGen,
                pcieGen == null ? null : 16L, notes);
        return new NvmlSection(true, null, "550", "12.4", List.of(g), List.of(), List.of());
    }

    @Test
    void nvmlMaxClocksAndPcieLinkAreUsedForTheGpuOnTheSameBus() {
        Peak p = Peak.of(H100, nvml("00000000:19:00.0", 1980L, 5L, List.of()));
        assertEquals("NVML max clocks and PCIe link, JCuda SM count", p.basis());
        assertEquals(66.9, p.fp32Gflops() / 1000, 0.05);  // NVML's 1980 MHz max clock, not JCuda's 1755
        assertEquals(63.0, p.pcieGBs(), 0.1);
    }

    @Test
    void aGpuNvmlKnowsWithoutClocksIsNotCalledMissingFromNvml() {
        // The simulator's NVML (and some vGPUs) find the GPU but answer Not Supported for its clocks and link.
        List<String> notes = List.of("max SM clock: Not Supported", "max memory clock: Not Supported",
                "memory bus width: Not Supported", "max PCIe generation: Not Supported", "temperature: Not Supported");
        Peak p = Peak.of(H100, nvml("00000000:19:00.0", null, null, notes));
        assertFalse(p.basis().contains("no GPU on bus"), p.basis());
        assertTrue(p.basis().startsWith("JCuda SM count, SM clock, memory clock, memory bus width; PCIe link unknown;"
                + " NVML GPU 0 on bus 00000000:19:00.0: max SM clock: Not Supported, max memory clock"), p.basis());
        assertFalse(p.basis().contains("temperature"), p.basis());
        assertEquals(132 * 128 * 2 * 1755 / 1000.0, p.fp32Gflops(), 1e-6);
        assertNull(p.pcieGBs());
    }

    @Test
    void nvmlPcieLinkIsUsedEvenWhenItsClocksAreNot() {
        Peak p = Peak.of(H100, nvml("00000000:19:00.0", null, 4L, List.of("max SM clock: Not Supported")));
        assertTrue(p.basis().startsWith("NVML PCIe link; JCuda SM count, SM clock"), p.basis());
        assertEquals(31.5, p.pcieGBs(), 0.1);
    }

    @Test
    void aGpuOnAnotherBusOrNoNvmlFallsBackToJcudaWithTheReason() {
        Peak other = Peak.of(H100, nvml("00000000:3B:00.0", 1980L, 5L, List.of()));
        assertEquals("JCuda clock attributes (NVML: no GPU on bus 00000000:19:00.0)", other.basis());
        assertNull(other.pcieGBs());
        Peak none = Peak.of(H100, NvmlSection.unavailable("libnvidia-ml.so.1 not found"));
        assertEquals("JCuda clock attributes (NVML: libnvidia-ml.so.1 not found)", none.basis());
        // NVML writes hex digits in upper case; a lower-case id names the same bus.
        CudaGpu on3b = new CudaGpu(0, "H100", "9.0", 132, 1755, 2619, 5120, 80L << 30, "00000000:3B:00.0");
        assertEquals("NVML max clocks and PCIe link, JCuda SM count",
                Peak.of(on3b, nvml("00000000:3b:00.0", 1980L, 5L, List.of())).basis());
    }
}
