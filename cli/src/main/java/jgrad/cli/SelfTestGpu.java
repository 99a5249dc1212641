package jgrad.cli;

import jgrad.cpu.CpuDevice;
import jgrad.device.Conv2dGeometry;
import jgrad.device.Device;
import jgrad.device.Storage;
import jgrad.device.UnaryOp;

/**
 * The GPU checks of {@code devices --selftest}: each runs a few small ops on a CUDA device and on
 * the CPU reference and compares them. Each returns {mismatch or null, what ran}.
 */
final class SelfTestGpu {
    private static final Device CPU = CpuDevice.get();

    private SelfTestGpu() {}

    /** Own PTX kernels: SGEMM 33x17x65, sigmoid and a sum over 1000 values. */
    static String[] own(Device gpu) {
        String err = gemm(gpu, false, false, 33, 17, 65);
        float[] x = SelfTest.random(1000, 4);
        err = first(err, SelfTest.compare("sigmoid", SelfTest.unary(gpu, UnaryOp.SIGMOID, x),
                SelfTest.unary(CPU, UnaryOp.SIGMOID, x), SelfTest.ATOL));
        err = first(err, SelfTest.compare("sum", sum(gpu, x), sum(CPU, x), 1e-4f));
        return new String[] {err, "sgemm 33x17x65, sigmoid and sum over 1000 values match the CPU"};
    }

    /** cuBLAS SGEMM with both transposes (cuBLAS is column-major: the row-major mapping is what is tested). */
    static String[] cublas(Device gpu) {
        String err = gemm(gpu, false, true, 65, 33, 129);
        err = first(err, gemm(gpu, true, false, 65, 33, 129));
        return new String[] {err, "sgemm 65x33x129 NT and TN match the CPU"};
    }

    /**
     * cuDNN batch norm (training mode: output and saved statistics) and, where the CPU has the
     * reference, a 3x3 convolution.
     */
    static String[] cudnn(Device gpu) {
        int m = 4;
        int c = 3;
        int spatial = 25;
        float[] x = SelfTest.random(m * c * spatial, 5);
        float[][] want = batchNorm(CPU, x, m, c, spatial);
        float[][] got = batchNorm(gpu, x, m, c, spatial);
        String err = SelfTest.compare("batch norm y", got[0], want[0], 1e-4f);
        err = first(err, SelfTest.compare("batch norm mean", got[1], want[1], 1e-5f));
        err = first(err, SelfTest.compare("batch norm inv std", got[2], want[2], 1e-4f));
        Conv2dGeometry g = Conv2dGeometry.of(2, 3, 9, 9, 4, 3, 1, 1);
        float[] in = SelfTest.random(g.inputNumel(), 6);
        float[] w = SelfTest.random(g.weightNumel(), 7);
        float[] conv;
        try {
            conv = conv(CPU, g, in, w);
        } catch (UnsupportedOperationException e) {
            return new String[] {err, "batch norm 4x3x25 matches the CPU; conv2d not checked: no CPU reference in this"
                    + " build (" + e.getMessage() + ")"};
        }
        err = first(err, SelfTest.compare("conv2d 3x3", conv(gpu, g, in, w), conv, 1e-4f));
        return new String[] {err, "batch norm 4x3x25 and conv2d 2x3x9x9 -> 4 (3x3, pad 1) match the CPU"};
    }

    private static String gemm(Device gpu, boolean ta, boolean tb, int m, int n, int k) {
        float[] a = SelfTest.random(m * k, 1);
        float[] b = SelfTest.random(k * n, 2);
        // Products of values in [-1, 1) summed k times: rounding grows with k, so atol does too.
        return SelfTest.compare("sgemm " + m + "x" + n + "x" + k + (ta ? " T" : " N") + (tb ? "T" : "N"),
                SelfTest.gemm(gpu, ta, tb, m, n, k, a, b), SelfTest.gemm(CPU, ta, tb, m, n, k, a, b), 1e-6f * k);
    }

    private static float[] sum(Device d, float[] x) {
        try (Storage sx = SelfTest.upload(d, x); Storage out = d.allocate(1)) {
            d.ops().sumAll(sx, out, x.length);
            return SelfTest.download(d, out);
        }
    }

    /** {y, saveMean, saveInvStd} of a training-mode batch norm with gamma 1.5, beta -0.5. */
    private static float[][] batchNorm(Device d, float[] x, int m, int c, int spatial) {
        float[] gamma = ones(c);
        float[] beta = new float[c];
        java.util.Arrays.fill(gamma, 1.5f);
        java.util.Arrays.fill(beta, -0.5f);
        try (Storage sx = SelfTest.upload(d, x); Storage g = SelfTest.upload(d, gamma);
             Storage b = SelfTest.upload(d, beta); Storage y = d.allocate(x.length); Storage mean = d.allocate(c);
             Storage inv = d.allocate(c); Storage rm = SelfTest.upload(d, new float[c]);
             Storage rv = SelfTest.upload(d, ones(c))) {
            d.ops().batchNormForward(sx, g, b, y, mean, inv, rm, rv, m, c, spatial, 0.1f, 1e-5f, true);
            return new float[][] {SelfTest.download(d, y), SelfTest.download(d, mean), SelfTest.download(d, inv)};
        }
    }

    private static float[] conv(Device d, Conv2dGeometry g, float[] x, float[] w) {
        try (Storage sx = SelfTest.upload(d, x); Storage sw = SelfTest.upload(d, w);
             Storage y = d.allocate(g.outputNumel())) {
            d.ops().conv2dForward(g, sx, sw, null, y);
            return SelfTest.download(d, y);
        }
    }

    private static float[] ones(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1f);
        return x;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
