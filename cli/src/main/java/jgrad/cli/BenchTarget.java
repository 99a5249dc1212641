package jgrad.cli;

import java.util.SplittableRandom;
import jgrad.device.Device;
import jgrad.device.Storage;

/**
 * One column of a benchmark: a device with a choice of kernels ("cpu", "own PTX", "cuBLAS TF32"),
 * or, when it cannot be opened, the reason. {@code tf32} marks targets whose peak is the TF32
 * tensor-core one. {@code simulated} marks a GPU that is the jgrad CUDA simulator: its cases run
 * once at small sizes, untimed (see {@link BenchSimulated}). The memory suite's GPU targets carry
 * no Device (it calls the driver directly).
 */
record BenchTarget(String device, String provider, Device dev, Peak peak, boolean tf32, boolean simulated,
                   String unavailable) {

    static BenchTarget of(String device, String provider, Device dev, Peak peak, boolean tf32, boolean simulated) {
        return new BenchTarget(device, provider, dev, peak, tf32, simulated, null);
    }

    static BenchTarget missing(String device, String provider, String reason) {
        return new BenchTarget(device, provider, null, Peak.NONE, false, false, reason);
    }

    boolean available() {
        return unavailable == null;
    }

    /** The compute peak that applies to this target's GEMM/conv math (TF32 tensor or FP32), or null. */
    Double computePeak() {
        return tf32 ? peak.tf32Gflops() : peak.fp32Gflops();
    }

    /** A buffer of {@code n} values uniform in [-1, 1), filled on the host and copied in. */
    Storage random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] host = new float[n];
        for (int i = 0; i < n; i++) {
            host[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Storage s = dev.allocate(n);
        dev.copyIn(host, 0, s, 0, n);
        return s;
    }
}
