package jgrad.cli;

import static jcuda.driver.JCudaDriver.cuCtxGetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;

/**
 * The memory suite (GPU only): host-to-device and device-to-host copies from pageable (a direct
 * ByteBuffer: ordinary malloc'd memory the driver must stage) and pinned (cuMemAllocHost) host
 * memory, and device-to-device copies, as GB/s. Raw driver calls, not the Device API, since
 * jgrad's own transfers always go through its pinned staging ring. D2D counts the bytes read and
 * written (as CUDA's bandwidthTest does), so it compares with the DRAM peak; H2D/D2H compare with
 * the PCIe link's per-direction peak.
 */
final class BenchMemory {
    static final String SUITE = "memory";

    private BenchMemory() {}

    static long bytes(boolean quick) {
        return (quick ? 64L : 256L) << 20;
    }

    static List<BenchResult> run(BenchRun run) {
        List<BenchResult> out = new ArrayList<>();
        for (BenchTarget t : run.devices().targets(BenchDevices.Need.MEMORY)) {
            if (!t.available()) {
                out.add(BenchResult.skipped(SUITE, t.device(), t.provider(), "all transfers", "GB/s", t.unavailable()));
                continue;
            }
            for (BenchResult r : device(run, t)) {
                out.add(run.progress().done(r));
            }
        }
        return out;
    }

    /** The device index of a "cuda:N ..." target name. */
    static int ordinal(String device) {
        String s = device.startsWith("cuda:") ? device.substring(5).split("\\s+")[0] : "";
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CUDA device name: " + device);
        }
    }

    private static List<BenchResult> device(BenchRun run, BenchTarget t) {
        long bytes = t.simulated() ? BenchSimulated.MEMORY_BYTES : bytes(run.quick());
        String size = (bytes >> 20) + " MiB";
        List<BenchResult> out = new ArrayList<>();
        CUcontext previous = new CUcontext();
        CUdevice dev = new CUdevice();
        CUcontext ctx = new CUcontext();
        CUdeviceptr a = new CUdeviceptr();
        CUdeviceptr b = new CUdeviceptr();
        Pointer pinned = new Pointer();
        boolean retained = false;
        boolean haveA = false;
        boolean haveB = false;
        boolean havePinned = false;
        try {
            // Restore whatever context this thread had: the CudaDevices opened for other suites rely on it.
            jcuda.driver.JCudaDriver.setExceptionsEnabled(true); // every failed call throws, none is ignored
            cuCtxGetCurrent(previous);
            cuDeviceGet(dev, ordinal(t.device()));
            cuDevicePrimaryCtxRetain(ctx, dev);
            retained = true;
            cuCtxSetCurrent(ctx);
            cuMemAlloc(a, bytes);
            haveA = true;
            cuMemAlloc(b, bytes);
            haveB = true;
            cuMemAllocHost(pinned, bytes);
            havePinned = true;
            Pointer pageable = Pointer.to(ByteBuffer.allocateDirect((int) bytes));
            Runnable sync = () -> cuCtxSynchronize();
            Double pcie = t.peak().pcieGBs();
            out.add(transfer(run, t, "H2D pageable, " + size, bytes, pcie, () -> cuMemcpyHtoD(a, pageable, bytes), sync));
            out.add(transfer(run, t, "H2D pinned, " + size, bytes, pcie, () -> cuMemcpyHtoD(a, pinned, bytes), sync));
            out.add(transfer(run, t, "D2H pageable, " + size, bytes, pcie, () -> cuMemcpyDtoH(pageable, a, bytes), sync));
            out.add(transfer(run, t, "D2H pinned, " + size, bytes, pcie, () -> cuMemcpyDtoH(pinned, a, bytes), sync));
            out.add(transfer(run, t, "D2D (read+write), " + size, 2 * bytes, t.peak().memoryGBs(),
                    () -> cuMemcpyDtoD(b, a, bytes), sync));
        } catch (RuntimeException e) {
            out.add(BenchResult.from(e, SUITE, t, "transfers, " + size, "GB/s"));
        } finally {
            if (havePinned) {
                cuMemFreeHost(pinned);
            }
            if (haveB) {
                cuMemFree(b);
            }
            if (haveA) {
                cuMemFree(a);
            }
            if (retained) {
                cuCtxSetCurrent(previous);
                cuDevicePrimaryCtxRelease(dev);
            }
        }
        return out;
    }

    private static BenchResult transfer(BenchRun run, BenchTarget t, String item, long bytes, Double peak, Runnable copy,
                                     Runnable sync) {
        if (t.simulated()) {
            return BenchSimulated.once(SUITE, t, item, "GB/s", copy, sync);
        }
        Measure.Stats st = Measure.time(copy, sync, run.budget());
        return BenchResult.measured(SUITE, t.device(), t.provider(), item, "GB/s", bytes / (st.medianMs() * 1e6), st,
                peak, null);
    }
}
