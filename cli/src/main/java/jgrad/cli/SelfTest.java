package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import jgrad.cli.DeviceReport.CudaSection;
import jgrad.cpu.CpuDevice;
import jgrad.device.Device;
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

    private SelfTest() {}

    static List<DeviceReport.SelfTest> runAll(CudaSection cuda) {
        List<DeviceReport.SelfTest> out = new ArrayList<>();
        out.add(cpu());
        for (String provider : new String[] {"CUDA own", "cuBLAS", "cuDNN"}) {
            out.add(DeviceReport.SelfTest.skip(provider, cuda.reason()));
        }
        return out;
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
            String gemmErr = compare("sgemm", got, want);
            float[] x = random(37, 3);
            float[] sig = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                sig[i] = (float) (1 / (1 + Math.exp(-x[i])));
            }
            String sigErr = compare("sigmoid", unary(cpu, UnaryOp.SIGMOID, x), sig);
            if (gemmErr != null || sigErr != null) {
                return DeviceReport.SelfTest.fail("CPU", gemmErr != null ? gemmErr : sigErr);
            }
            return DeviceReport.SelfTest.pass("CPU", "sgemm 7x5x3 and sigmoid match scalar loops");
        } catch (RuntimeException e) {
            return DeviceReport.SelfTest.fail("CPU", e.toString());
        }
    }

    static float[] gemm(Device d, int m, int n, int k, float[] a, float[] b) {
        try (Storage sa = upload(d, a); Storage sb = upload(d, b); Storage sc = d.allocate(m * n)) {
            d.ops().gemm(false, false, m, n, k, 1f, sa, sb, 0f, sc);
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

    /** Null when every element is within tolerance, else the first mismatch. */
    static String compare(String what, float[] got, float[] want) {
        if (got.length != want.length) {
            return what + ": " + got.length + " values, expected " + want.length;
        }
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= ATOL + RTOL * Math.abs(want[i]))) {
                return String.format(Locale.ROOT, "%s: element %d is %g, expected %g", what, i, got[i], want[i]);
            }
        }
        return null;
    }
}
