package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.cuda.CudaDevice;
import jgrad.cuda.CudaProbe;
import jgrad.device.Device;
import jgrad.device.KernelChoice;
import jgrad.device.Storage;
import jgrad.device.UnaryOp;

/**
 * {@code jgrad devices --selftest}: one tiny op per provider, checked against a reference with
 * |got − want| ≤ atol + rtol·|want|. The CPU (itself the reference for every GPU op) is checked
 * against plain scalar loops; each GPU provider against the CPU.
 */
final class SelfTest {
    static final float ATOL = 1e-5f;
    static final float RTOL = 1e-4f;
    static final String OWN = "CUDA own";
    static final String CUBLAS = "cuBLAS";
    static final String CUDNN = "cuDNN";

    private SelfTest() {}

    static List<DeviceReport.SelfTest> runAll() {
        List<DeviceReport.SelfTest> out = new ArrayList<>();
        out.add(cpu());
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) {
            for (String provider : new String[] {OWN, CUBLAS, CUDNN}) {
                out.add(DeviceReport.SelfTest.skip(provider, probe.driver().reason()));
            }
            return out;
        }
        out.add(own());
        try (CudaDevice vendor = CudaDevice.open(0, KernelChoice.AUTO, false)) {
            out.add(vendor.usesCublas() ? check(CUBLAS, () -> SelfTestGpu.cublas(vendor))
                    : notUsed(CUBLAS, probe.cublas()));
            out.add(vendor.usesCudnn() ? check(CUDNN, () -> SelfTestGpu.cudnn(vendor))
                    : notUsed(CUDNN, probe.cudnn()));
        } catch (RuntimeException e) {
            out.add(DeviceReport.SelfTest.fail(CUBLAS, "cuda:0 did not open: " + e.getMessage()));
            out.add(DeviceReport.SelfTest.fail(CUDNN, "cuda:0 did not open: " + e.getMessage()));
        }
        return out;
    }

    private static DeviceReport.SelfTest own() {
        try (CudaDevice own = CudaDevice.open(0, KernelChoice.OWN, false)) {
            return check(OWN, () -> SelfTestGpu.own(own));
        } catch (RuntimeException e) {
            return DeviceReport.SelfTest.fail(OWN, "cuda:0 did not open with --kernels own: " + e.getMessage());
        }
    }

    /** A library the probe could not load is a SKIP; one that loads but the device did not take up is a FAIL. */
    private static DeviceReport.SelfTest notUsed(String provider, CudaProbe.Availability availability) {
        return availability.available()
                ? DeviceReport.SelfTest.fail(provider, provider + " loads but cuda:0 could not create its handle (the"
                        + " log line above says why)")
                : DeviceReport.SelfTest.skip(provider, availability.reason());
    }

    /** Runs {@code check}: null or a mismatch message from it, or an exception, decide PASS or FAIL. */
    static DeviceReport.SelfTest check(String provider, Check check) {
        try {
            String[] r = check.run();
            return r[0] == null ? DeviceReport.SelfTest.pass(provider, r[1]) : DeviceReport.SelfTest.fail(provider, r[0]);
        } catch (RuntimeException e) {
            return DeviceReport.SelfTest.fail(provider, e.toString());
        }
    }

    /** {mismatch or null, what ran}. */
    interface Check {
        String[] run();
    }

    /** SGEMM 7×5×3 (both transposes) and sigmoid on the CPU against scalar loops. */
    static DeviceReport.SelfTest cpu() {
        try {
            Device cpu = CpuDevice.get();
            int m = 7;
            int n = 5;
            int k = 3;
            float[] a = random(m * k, 1);
            float[] b = random(k * n, 2);
            float[] want = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a[i * k + p] * b[p * n + j];
                    }
                    want[i * n + j] = (float) s;
                }
            }
            float[] got = gemm(cpu, m, n, k, a, b);
            String gemmErr = compare("sgemm", got, want, ATOL);
            float[] x = random(37, 3);
            float[] sig = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                sig[i] = (float) (1 / (1 + Math.exp(-x[i])));
            }
            String sigErr = compare("sigmoid", unary(cpu, UnaryOp.SIGMOID, x), sig, ATOL);
            if (gemmErr != null || sigErr != null) {
                return DeviceReport.SelfTest.fail("CPU", gemmErr != null ? gemmErr : sigErr);
            }
            return DeviceReport.SelfTest.pass("CPU", "sgemm 7x5x3 and sigmoid match scalar loops");
        } catch (RuntimeException e) {
            return DeviceReport.SelfTest.fail("CPU", e.toString());
        }
    }

    static float[] gemm(Device d, int m, int n, int k, float[] a, float[] b) {
        return gemm(d, false, false, m, n, k, a, b);
    }

    static float[] gemm(Device d, boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b) {
        try (Storage sa = upload(d, a); Storage sb = upload(d, b); Storage sc = d.allocate(m * n)) {
            d.ops().gemm(ta, tb, m, n, k, 1f, sa, sb, 0f, sc);
            return download(d, sc);
        }
    }

    static float[] unary(Device d, UnaryOp op, float[] x) {
        try (Storage sx = upload(d, x); Storage sy = d.allocate(x.length)) {
            d.ops().unary(op, sx, sy, x.length);
            return download(d, sy);
        }
    }

    static Storage upload(Device d, float[] host) {
        Storage s = d.allocate(host.length);
        d.copyIn(host, 0, s, 0, host.length);
        return s;
    }

    static float[] download(Device d, Storage s) {
        float[] out = new float[s.numel()];
        d.copyOut(s, 0, out, 0, out.length);
        return out;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Null when every element is within atol + RTOL·|want|, else the first mismatch. */
    static String compare(String what, float[] got, float[] want, float atol) {
        if (got.length != want.length) {
            return what + ": " + got.length + " values, expected " + want.length;
        }
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= atol + RTOL * Math.abs(want[i]))) {
                return String.format(Locale.ROOT, "%s: element %d is %g, expected %g", what, i, got[i], want[i]);
            }
        }
        return null;
    }
}
