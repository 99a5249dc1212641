package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.device.KernelChoice;
import jgrad.device.Storage;

/**
 * Helpers of the GPU parity tests (llm.c's validate_result in Java): run one op on the CPU
 * reference and on a CUDA device with the same inputs, then compare every output with
 * |got − want| ≤ atol + rtol·|want|, printing the first mismatches (index, got, want).
 */
final class Parity {
    static final Device CPU = CpuDevice.get();
    /** One float32 ulp at 1.0 (2^-23): tolerances of the ops designed to match the CPU bit for bit. */
    static final double ULP = 0x1.0p-23;
    /** Unit roundoff u = 2^-24: GEMM-type error bounds are γ_k = k·u·(|A|·|B|) per element (Higham). */
    static final double U = 0x1.0p-24;
    private static final int SHOWN = 10;
    private static final Map<KernelChoice, CudaDevice> DEVICES = new EnumMap<>(KernelChoice.class);

    private Parity() {}

    /**
     * True when the device is the jgrad CUDA simulator, which runs every PTX instruction on the CPU
     * (about 10^8 per second): tests then use smaller sizes that still reach every code path (odd
     * sizes, block and grid edges, chunking), never a weaker tolerance.
     */
    static boolean simulated() {
        return CudaProbe.probe().simulated();
    }

    /** {@code onGpu} on a real GPU, {@code onSimulator} on the simulator. */
    static int size(int onGpu, int onSimulator) {
        return simulated() ? onSimulator : onGpu;
    }

    /**
     * GPU 0 with these providers, opened once per JVM and kept open (its pool then persists across
     * tests, as in training), closed when the JVM exits, so that device memory still live then (the
     * simulator's leak report at exit) is a test's leak, not these devices' pools. VENDOR is skipped
     * with the probe's reason when cuBLAS or cuDNN is missing.
     */
    static synchronized CudaDevice gpu(KernelChoice kernels) {
        if (kernels == KernelChoice.VENDOR) {
            CudaProbe.Result p = CudaProbe.probe();
            assumeTrue(p.cublas().available() && p.cudnn().available(),
                    "vendor kernels need cuBLAS and cuDNN: cuBLAS " + p.cublas().reason() + "; cuDNN " + p.cudnn().reason());
        }
        if (DEVICES.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(Parity::closeDevices, "close-parity-devices"));
        }
        return DEVICES.computeIfAbsent(kernels, k -> CudaDevice.open(0, k, false));
    }

    private static synchronized void closeDevices() {
        DEVICES.values().forEach(CudaDevice::close);
        DEVICES.clear();
    }

    static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** Values of magnitude in [lo, hi] with random signs (divisors, away from zero). */
    static float[] awayFromZero(SplittableRandom r, int n, double lo, double hi) {
        float[] a = uniform(r, n, lo, hi);
        for (int i = 0; i < n; i++) {
            if (r.nextBoolean()) {
                a[i] = -a[i];
            }
        }
        return a;
    }

    /** Integer class indices in [0, classes) stored as floats. */
    static float[] labels(SplittableRandom r, int n, int classes) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(classes);
        }
        return a;
    }

    static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Math.abs(a[i]);
        }
        return b;
    }

    /** Named buffers of one op call on one device; outputs start as NaN so an unwritten element shows. */
    static final class Run implements AutoCloseable {
        final Device device;
        private final Map<String, Storage> buffers = new LinkedHashMap<>();

        Run(Device device) {
            this.device = device;
        }

        DeviceOps ops() {
            return device.ops();
        }

        /** A buffer holding a copy of {@code host}. */
        Storage in(String name, float[] host) {
            Storage s = device.allocate(host.length);
            device.copyIn(host, 0, s, 0, host.length);
            put(name, s);
            return s;
        }

        /** A buffer of n NaNs (a kernel that skips an element, or reads an output it must not, shows up). */
        Storage out(String name, int n) {
            Storage s = device.allocate(n);
            device.ops().fill(s, Float.NaN, n);
            put(name, s);
            return s;
        }

        Storage buffer(String name) {
            return buffers.get(name);
        }

        float[] get(String name) {
            Storage s = buffers.get(name);
            float[] host = new float[s.numel()];
            device.copyOut(s, 0, host, 0, host.length);
            return host;
        }

        private void put(String name, Storage s) {
            Storage old = buffers.put(name, s);
            if (old != null) {
                old.close();
            }
        }

        @Override
        public void close() {
            buffers.values().forEach(Storage::close);
            buffers.clear();
        }
    }

    /** Compares buffer {@code name} of the two runs. */
    static void assertClose(String what, Run gpu, Run cpu, String name, double atol, double rtol) {
        assertClose(what + " " + name, gpu.get(name), cpu.get(name), atol, rtol);
    }

    static void assertClose(String what, float[] got, float[] want, double atol, double rtol) {
        double[] tol = new double[want.length];
        for (int i = 0; i < want.length; i++) {
            tol[i] = atol + rtol * Math.abs(want[i]);
        }
        assertWithin(what, got, want, tol, "atol " + atol + " + rtol " + rtol + "·|want|");
    }

    /** Exact equality, except that NaN matches NaN. */
    static void assertSame(String what, float[] got, float[] want) {
        assertClose(what, got, want, 0, 0);
    }

    /**
     * Per-element tolerances (error bounds that depend on the inputs, e.g. γ_k·(|A|·|B|) for a
     * GEMM). NaN matches only NaN; ±inf only itself.
     */
    static void assertWithin(String what, float[] got, float[] want, double[] tol, String rule) {
        if (got.length != want.length) {
            fail(what + ": " + got.length + " values, reference has " + want.length);
        }
        List<String> shown = new ArrayList<>();
        int bad = 0;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < want.length; i++) {
            float g = got[i];
            float w = want[i];
            boolean ok;
            if (Float.isNaN(w) || Float.isNaN(g)) {
                ok = Float.isNaN(w) && Float.isNaN(g);
            } else if (Float.isInfinite(w) || Float.isInfinite(g)) {
                ok = g == w;
            } else {
                double err = Math.abs((double) g - w);
                ok = err <= tol[i];
                double ratio = tol[i] > 0 ? err / tol[i] : err > 0 ? Double.POSITIVE_INFINITY : 0;
                if (ratio > worst) {
                    worst = ratio;
                    worstAt = i;
                }
            }
            if (!ok) {
                bad++;
                if (shown.size() < SHOWN) {
                    shown.add(String.format("  [%d] got %s want %s |diff| %.3g allowed %.3g", i, g, w,
                            Math.abs((double) g - w), tol[i]));
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d values outside tolerance (%s); worst error/tolerance %.3g at [%d]; first:%n%s",
                    what, bad, want.length, rule, worst, worstAt, String.join("\n", shown)));
        }
    }
}
