package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import jgrad.cli.DeviceReport.CudaGpu;
import jgrad.cli.DeviceReport.CudaSection;
import jgrad.cli.DeviceReport.GpuProcess;
import jgrad.cli.DeviceReport.NvmlGpu;
import jgrad.cli.DeviceReport.NvmlSection;
import org.junit.jupiter.api.Test;

/** The devices report formatted from fake values, as an H100 host would fill it. */
class DevicesTextTest {
    static final DeviceReport.Cpu CPU = new DeviceReport.Cpu("AMD EPYC 9454", 16, 16, 512, 16,
            List.of("avx2", "fma", "avx512f"), 128L << 30, 120L << 30, 32L << 30, "17.0.15 (OpenJDK)", "Linux");

    static DeviceReport h100() {
        NvmlGpu g0 = new NvmlGpu(0, "NVIDIA H100 80GB HBM3", "GPU-1234", "00000000:19:00.0", true, 33L, "P0", 70.5,
                700.0, 1L << 20, 81559L << 20, 0L, 0L, "Default", "9.0", 1980L, 2619L, 5120L, 5L, 16L, List.of());
        NvmlGpu g1 = new NvmlGpu(1, "NVIDIA H100 80GB HBM3", null, "00000000:3B:00.0", null, null, "P8", null, 700.0,
                123L << 20, 81559L << 20, 97L, 41L, "E. Process", "9.0", null, null, null, null, null,
                List.of("temperature: Not Supported", "power usage: No permission"));
        NvmlSection nvml = new NvmlSection(true, null, "550.54.15", "12.4", List.of(g0, g1),
                List.of(new GpuProcess(1, 4242, "C", "python3", 1L << 30), new GpuProcess(1, 77, "C+G", null, null)),
                List.of());
        CudaSection cuda = new CudaSection(true, null, "12.4", "12.6", "12.6.4", "9.1.0",
                List.of(new CudaGpu(0, "NVIDIA H100 80GB HBM3", "9.0", 132, 1980, 2619, 5120, 85_520_809_984L,
                        "00000000:19:00.0")));
        return new DeviceReport("1.0", CPU, nvml, cuda,
                List.of(DeviceReport.SelfTest.pass("CPU", "ok"), DeviceReport.SelfTest.fail("cuDNN", "boom")));
    }

    @Test
    void gpuBoxShowsNvidiaSmiFieldsInAlignedRows() {
        String text = DevicesText.format(h100());
        assertTrue(text.contains("Driver Version: 550.54.15"), text);
        assertTrue(text.contains("CUDA Version (driver): 12.4"), text);
        assertTrue(text.contains("JCuda bindings built with CUDA runtime: 12.6"), text);
        assertTrue(text.contains("cuBLAS: 12.6.4   cuDNN: 9.1.0"), text);
        assertTrue(text.contains("NVIDIA H100 80GB HBM3"), text);
        assertTrue(text.contains("00000000:19:00.0"), text);
        assertTrue(text.contains("33C"), text);
        assertTrue(text.contains("70W / 700W"), text);
        assertTrue(text.contains("1MiB / 81559MiB"), text);
        assertTrue(text.contains("N/A / 700W"), text);
        assertTrue(text.contains("1980/2619MHz"), text);
        assertTrue(text.contains("E. Process"), text);
        assertTrue(text.contains("cuda:0  NVIDIA H100 80GB HBM3  compute capability 9.0  132 SMs"), text);
        assertTrue(text.contains("GPU 1 temperature: Not Supported"), text);
        // Every line of the GPU box has the same width, the box's right edge lines up.
        List<String> box = text.lines().filter(l -> l.startsWith("|") || l.startsWith("+")).toList();
        assertTrue(box.size() > 8, text);
        int width = box.get(0).length();
        for (String line : box) {
            assertEquals(width, line.length(), "box line width: '" + line + "'");
        }
    }

    @Test
    void processesAndSelfTestAreListed() {
        String text = DevicesText.format(h100());
        String proc = text.lines().filter(l -> l.contains("4242")).findFirst().orElseThrow();
        assertTrue(proc.contains("python3") && proc.contains("1024MiB") && proc.contains(" C "), proc);
        String other = text.lines().filter(l -> l.contains(" 77 ")).findFirst().orElseThrow();
        assertTrue(other.contains("C+G") && other.contains("N/A"), other);
        assertTrue(text.contains("CPU          PASS  ok"), text);
        assertTrue(text.contains("cuDNN        FAIL  boom"), text);
    }

    @Test
    void noGpuIsOneLineAndTheCpuSectionStays() {
        DeviceReport r = new DeviceReport("1.0", CPU, NvmlSection.unavailable("libnvidia-ml.so.1 could not be loaded"),
                CudaSection.unavailable("no NVIDIA driver (libcuda.so.1 not found)"), List.of());
        String text = DevicesText.format(r);
        List<String> gpuLines = text.lines().filter(l -> l.contains("GPU")).toList();
        assertEquals(1, gpuLines.size(), text);
        assertEquals("GPU: none usable. NVML: libnvidia-ml.so.1 could not be loaded; CUDA: no NVIDIA driver "
                + "(libcuda.so.1 not found)", gpuLines.get(0));
        assertTrue(text.contains("model        AMD EPYC 9454"), text);
        assertTrue(text.contains("512-bit vectors, 16 floats"), text);
        assertTrue(text.contains("128.0 GiB total, 120.0 GiB available"), text);
        assertFalse(text.contains("Self-test"), text);
    }

    @Test
    void jsonHasSnakeCaseFieldsAndNulls() throws Exception {
        JsonNode j = new ObjectMapper().readTree(Json.string(h100()));
        assertEquals("550.54.15", j.at("/nvml/driver_version").asText());
        assertEquals(81559L << 20, j.at("/nvml/gpus/0/memory_total_bytes").asLong());
        assertTrue(j.at("/nvml/gpus/1/temperature_c").isNull());
        assertEquals(132, j.at("/cuda/gpus/0/multiprocessors").asInt());
        assertEquals(512, j.at("/cpu/simd_bits").asInt());
        assertEquals("FAIL", j.at("/selftest/1/status").asText());
    }

    /** JGRAD_THREADS=1 is a common setting: its line must read "1 thread", as counts do everywhere else. */
    @Test
    void oneThreadIsCountedInTheSingular() {
        DeviceReport.Cpu one = new DeviceReport.Cpu("AMD EPYC", 2, 1, 512, 16, List.of(), null, null, 1L << 30,
                "17.0.15 (OpenJDK)", "Linux");
        String text = DevicesText.cpu(one);
        assertTrue(text.contains("2 logical (jgrad uses 1 thread)"), text);
        assertTrue(DevicesText.cpu(CPU).contains("16 logical (jgrad uses 16 threads)"));
    }
}
