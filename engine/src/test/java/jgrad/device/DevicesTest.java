package jgrad.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import jgrad.cpu.CpuDevice;
import jgrad.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

/** --device / --kernels selection; the CUDA-absent cases run wherever there is no usable GPU. */
class DevicesTest {
    private static String noCudaReason() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeFalse(probe.usable(), "this machine has a usable CUDA device: " + probe.summary());
        return probe.driver().reason();
    }

    @Test
    void cpuIsAlwaysThereAndTakesOnlyAutoKernels() {
        assertSame(CpuDevice.get(), Devices.select("cpu").device());
        assertNull(Devices.select(" CPU ").fallbackReason());
        assertSame(CpuDevice.get(), Devices.select("cpu", KernelChoice.AUTO, true).device(), "--tf32 is ignored");
        assertSame(CpuDevice.get(), Devices.select("cpu", KernelChoice.AUTO, true, true).device(),
                "--deterministic is accepted and changes nothing: the CPU is deterministic already");
        for (KernelChoice k : new KernelChoice[] {KernelChoice.OWN, KernelChoice.VENDOR}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Devices.select("cpu", k, false));
            assertTrue(e.getMessage().contains("--kernels " + k), e.getMessage());
        }
    }

    @Test
    void badSpecsAreUsageErrors() {
        for (String bad : new String[] {"tpu", "cuda:", "cuda:-1", "cuda:x", "gpu0"}) {
            assertThrows(IllegalArgumentException.class, () -> Devices.select(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> KernelChoice.parse("cublas"));
        assertEquals(KernelChoice.VENDOR, KernelChoice.parse(" Vendor "));
    }

    @Test
    void autoFallsBackToTheCpuWithTheProbeReason() {
        String reason = noCudaReason();
        Devices.Selection s = Devices.select("auto");
        assertSame(CpuDevice.get(), s.device());
        assertEquals(reason, s.fallbackReason());
        assertEquals(reason, Devices.cudaUnavailableReason());
    }

    @Test
    void explicitCudaFailsWithTheReason() {
        String reason = noCudaReason();
        for (String spec : new String[] {"cuda", "cuda:0", "cuda:3"}) {
            Devices.DeviceUnavailableException e = assertThrows(Devices.DeviceUnavailableException.class,
                    () -> Devices.select(spec));
            assertEquals("--device " + spec + ": " + reason, e.getMessage());
        }
    }

    @Test
    void ownOrVendorKernelsCannotFallBackToTheCpu() {
        String reason = noCudaReason();
        Devices.DeviceUnavailableException e = assertThrows(Devices.DeviceUnavailableException.class,
                () -> Devices.select("auto", KernelChoice.OWN, false));
        assertEquals("--kernels own needs CUDA: " + reason, e.getMessage());
    }
}
