package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuReaderTest {
    static final String X86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 17\n"
            + "model name\t: AMD EPYC 9454 48-Core Processor\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw\n\n"
            + "processor\t: 1\nmodel name\t: AMD EPYC 9454 48-Core Processor\n";
    static final String ARM = "processor\t: 0\nFeatures\t: fp asimd evtstrm sve\nCPU part\t: 0xd40\n";

    @Test
    void modelAndSimdFlagsFromCpuinfo() {
        assertEquals("AMD EPYC 9454 48-Core Processor", CpuReader.model(X86));
        assertEquals(List.of("sse4_2", "avx", "avx2", "fma", "avx512f"), CpuReader.simdFlags(X86));
        assertEquals(List.of("asimd", "sve"), CpuReader.simdFlags(ARM));
        assertNull(CpuReader.model(""));
        assertEquals(List.of(), CpuReader.simdFlags(""));
    }

    @Test
    void meminfoInBytes() {
        String meminfo = "MemTotal:       24612345 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n";
        assertEquals(24612345L * 1024, CpuReader.meminfoBytes(meminfo, "MemTotal"));
        assertEquals(20000000L * 1024, CpuReader.meminfoBytes(meminfo, "MemAvailable"));
        assertNull(CpuReader.meminfoBytes(meminfo, "SwapTotal"));
    }

    @Test
    void thisMachineHasACpuSection() {
        DeviceReport.Cpu c = CpuReader.read();
        assertTrue(c.logicalCores() >= 1);
        assertTrue(c.simdBits() >= 64 && c.floatsPerVector() == c.simdBits() / 32, c.toString());
        assertTrue(!c.model().isBlank());
    }
}
