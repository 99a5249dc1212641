package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
