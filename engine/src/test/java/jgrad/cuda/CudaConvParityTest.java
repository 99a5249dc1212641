package jgrad.cuda;

import static jgrad.cuda.Parity.CPU;
import static jgrad.cuda.Parity.U;
import static jgrad.cuda.Parity.ULP;
import static jgrad.cuda.Parity.abs;
import static jgrad.cuda.Parity.assertClose;
import static jgrad.cuda.Parity.assertSame;
import static jgrad.cuda.Parity.assertWithin;
import static jgrad.cuda.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import jgrad.cuda.Parity.Run;
import jgrad.device.Conv2dGeometry;
import jgrad.device.KernelChoice;
import jgrad.device.Pool2dGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Convolution and pooling on the GPU (own im2col + GEMM and pooling kernels, or cuDNN) against the
 * CPU reference, forward and both backwards, with and without bias, overwrite and accumulate.
 *
 * <p>Tolerances: a convolution output is a dot product of k = C·kh·kw (+1 for the bias) terms, so
 * like a GEMM it is within 2·γ_k·(|x| * |w|) of the CPU, with |x| * |w| the convolution of the
 * absolute values (computed on the CPU). cuDNN may pick Winograd or FFT algorithms, whose error
 * is bounded normwise rather than per element; for those 1e-5·max|x * w| is added (fp32 Winograd
 * and FFT convolutions stay near 1e-6 of the output scale).
 */
@GpuTest
class CudaConvParityTest {
    static final List<Conv2dGeometry> CONVS = List.of(
            new Conv2dGeometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
            new Conv2dGeometry(2, 3, 7, 7, 4, 3, 3, 1, 1, 1, 1),
            new Conv2dGeometry(3, 2, 9, 8, 5, 3, 3, 2, 2, 0, 0),
            new Conv2dGeometry(2, 3, 10, 7, 4, 3, 2, 2, 1, 1, 0),
            new Conv2dGeometry(1, 1, 5, 5, 1, 2, 2, 3, 3, 2, 2),
            new Conv2dGeometry(4, 1, 28, 28, 8, 5, 5, 1, 1, 2, 2),
            new Conv2dGeometry(64, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1),
            // 2.4 M column values per image: the own path runs this batch in two chunks.
            new Conv2dGeometry(20, 64, 64, 64, 8, 3, 3, 1, 1, 1, 1));

    /**
     * The simulator runs each PTX instruction on the CPU: there the two large cases shrink (batch 4
     * instead of 64; the chunked case under a column limit of two images and a bit, so the own path
     * runs chunks of 2, 2 and 1 images). Every other geometry is the same.
     */
    static final List<Conv2dGeometry> SIMULATED_CONVS = List.of(
            CONVS.get(0), CONVS.get(1), CONVS.get(2), CONVS.get(3), CONVS.get(4), CONVS.get(5),
            new Conv2dGeometry(4, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1),
            new Conv2dGeometry(5, 8, 16, 16, 4, 3, 3, 1, 1, 1, 1));
    static final long SIMULATED_COLUMN_LIMIT = 2L * 8 * 3 * 3 * 16 * 16 + 5;

    static final List<Pool2dGeometry> POOLS = List.of(
            Pool2dGeometry.of(1, 1, 1, 1, 1, 1, 0),
            Pool2dGeometry.of(2, 3, 8, 8, 2, 2, 0),
            Pool2dGeometry.of(2, 3, 7, 7, 3, 2, 1),
            new Pool2dGeometry(2, 2, 9, 6, 3, 2, 2, 1, 1, 1),
            new Pool2dGeometry(1, 4, 5, 5, 2, 2, 1, 1, 1, 1),
            Pool2dGeometry.global(2, 5, 7, 7),
            Pool2dGeometry.of(32, 16, 28, 28, 2, 2, 0));

    private static double[] bound(float[] absRef, int k, boolean vendor, float[] prior) {
        double max = 0;
        for (float v : absRef) {
            max = Math.max(max, v);
        }
        double[] tol = new double[absRef.length];
        for (int i = 0; i < tol.length; i++) {
            tol[i] = 2 * (k + 2) * U * absRef[i] + (vendor ? 1e-5 * max : 0) + (prior == null ? 0 : 2 * U * Math.abs(prior[i]))
                    + 1e-30;
        }
        return tol;
    }

    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void conv2dForwardAndBackward(KernelChoice kernels) throws Exception {
        CudaDevice dev = Parity.gpu(kernels);
        assertEquals(kernels == KernelChoice.VENDOR, dev.usesCudnn(), dev.providers());
        boolean vendor = kernels == KernelChoice.VENDOR;
        SplittableRandom r = new SplittableRandom(21);
        boolean sim = Parity.simulated();
        try (AutoCloseable limit = sim ? CudaConvOps.limitColumnsForTests(SIMULATED_COLUMN_LIMIT) : () -> {}) {
            if (sim) {
                assertEquals(2, CudaConvOps.chunkImages(SIMULATED_CONVS.get(SIMULATED_CONVS.size() - 1)));
            }
            for (Conv2dGeometry g : sim ? SIMULATED_CONVS : CONVS) {
                checkConv(dev, vendor, r, g);
            }
        }
    }

    private static void checkConv(CudaDevice dev, boolean vendor, SplittableRandom r, Conv2dGeometry g) {
        KernelChoice kernels = vendor ? KernelChoice.VENDOR : KernelChoice.OWN;
        float[] x = uniform(r, g.inputNumel(), -1, 1);
        float[] w = uniform(r, g.weightNumel(), -1, 1);
        float[] bias = uniform(r, g.outChannels(), -1, 1);
        float[] dy = uniform(r, g.outputNumel(), -1, 1);
        float[] priorX = uniform(r, g.inputNumel(), -1, 1);
        float[] priorW = uniform(r, g.weightNumel(), -1, 1);
        float[] priorB = uniform(r, g.outChannels(), -1, 1);
        String what = "conv2d [" + kernels + "] " + g;
        float[] absY;
        float[] absDx;
        float[] absDw;
        float[] absDb;
        try (Run cpu = new Run(CPU)) {  // the same ops on |inputs|: the per-element error scales
            cpu.ops().conv2dForward(g, cpu.in("x", abs(x)), cpu.in("w", abs(w)), cpu.in("b", abs(bias)),
                    cpu.out("y", g.outputNumel()));
            cpu.ops().conv2dBackwardData(g, cpu.in("dy", abs(dy)), cpu.buffer("w"), cpu.out("dx", g.inputNumel()),
                    false);
            cpu.ops().conv2dBackwardFilter(g, cpu.buffer("x"), cpu.buffer("dy"), cpu.out("dw", g.weightNumel()),
                    cpu.out("db", g.outChannels()), false);
            absY = cpu.get("y");
            absDx = cpu.get("dx");
            absDw = cpu.get("dw");
            absDb = cpu.get("db");
        }
        int kForward = g.inChannels() * g.kernelH() * g.kernelW() + 1;
        int kData = g.outChannels() * g.kernelH() * g.kernelW();
        int kFilter = g.batch() * g.outH() * g.outW();
        try (Run cpu = new Run(CPU); Run gpu = new Run(dev)) {
            for (Run run : new Run[] {cpu, gpu}) {
                run.ops().conv2dForward(g, run.in("x", x), run.in("w", w), run.in("b", bias), run.out("y", g.outputNumel()));
                run.ops().conv2dForward(g, run.buffer("x"), run.buffer("w"), null, run.out("yNoBias", g.outputNumel()));
                run.ops().conv2dBackwardData(g, run.in("dy", dy), run.buffer("w"), run.out("dx", g.inputNumel()), false);
                run.ops().conv2dBackwardData(g, run.buffer("dy"), run.buffer("w"), run.in("dxAcc", priorX), true);
                run.ops().conv2dBackwardFilter(g, run.buffer("x"), run.buffer("dy"), run.out("dw", g.weightNumel()),
                        run.out("db", g.outChannels()), false);
                run.ops().conv2dBackwardFilter(g, run.buffer("x"), run.buffer("dy"), run.in("dwAcc", priorW),
                        run.in("dbAcc", priorB), true);
                run.ops().conv2dBackwardFilter(g, run.buffer("x"), run.buffer("dy"), run.out("dwOnly", g.weightNumel()),
                        null, false);
            }
            String rule = "2·γ_k·(|x|*|w|)" + (vendor ? " + 1e-5·max" : "");
            assertWithin(what + " y", gpu.get("y"), cpu.get("y"), bound(absY, kForward, vendor, null), rule);
            assertWithin(what + " y without bias", gpu.get("yNoBias"), cpu.get("yNoBias"),
                    bound(absY, kForward, vendor, null), rule);
            assertWithin(what + " dx", gpu.get("dx"), cpu.get("dx"), bound(absDx, kData, vendor, null), rule);
            assertWithin(what + " dx accumulate", gpu.get("dxAcc"), cpu.get("dxAcc"),
                    bound(absDx, kData, vendor, priorX), rule);
            assertWithin(what + " dw", gpu.get("dw"), cpu.get("dw"), bound(absDw, kFilter, vendor, null), rule);
            assertWithin(what + " dw accumulate", gpu.get("dwAcc"), cpu.get("dwAcc"),
                    bound(absDw, kFilter, vendor, priorW), rule);
            assertWithin(what + " dw without bias", gpu.get("dwOnly"), cpu.get("dwOnly"),
                    bound(absDw, kFilter, vendor, null), rule);
            assertWithin(what + " dbias", gpu.get("db"), cpu.get("db"), bound(absDb, kFilter, vendor, null), rule);
            assertWithin(what + " dbias accumulate", gpu.get("dbAcc"), cpu.get("dbAcc"),
                    bound(absDb, kFilter, vendor, priorB), rule);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void poolingForwardAndBackward(KernelChoice kernels) {
        CudaDevice dev = Parity.gpu(kernels);
        SplittableRandom r = new SplittableRandom(22);
        for (Pool2dGeometry g : POOLS) {
            float[] x = uniform(r, g.inputNumel(), -1, 1);  // continuous values: no ties (see the tie test)
            float[] dy = uniform(r, g.outputNumel(), -1, 1);
            float[] prior = uniform(r, g.inputNumel(), -1, 1);
            String what = "pool [" + kernels + "] " + g;
            try (Run cpu = new Run(CPU); Run gpu = new Run(dev)) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().maxPool2dForward(g, run.in("x", x), run.out("yMax", g.outputNumel()));
                    run.ops().avgPool2dForward(g, run.buffer("x"), run.out("yAvg", g.outputNumel()));
                }
                assertSame(what + " max", gpu.get("yMax"), cpu.get("yMax"));  // a selection: exact
                // Window sums of ≤ kh·kw values in [-1, 1] then one division: a few ulp of the sum's scale.
                int window = g.kernelH() * g.kernelW();
                double atol = 2 * window * ULP;
                assertClose(what + " avg", gpu, cpu, "yAvg", atol, 4 * ULP);
                float[] yMax = cpu.get("yMax");
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().maxPool2dBackward(g, run.buffer("x"), run.in("y", yMax), run.in("dy", dy),
                            run.out("dxMax", g.inputNumel()), false);
                    run.ops().maxPool2dBackward(g, run.buffer("x"), run.buffer("y"), run.buffer("dy"),
                            run.in("dxMaxAcc", prior), true);
                    run.ops().avgPool2dBackward(g, run.buffer("dy"), run.out("dxAvg", g.inputNumel()), false);
                    run.ops().avgPool2dBackward(g, run.buffer("dy"), run.in("dxAvgAcc", prior), true);
                }
                // Each input collects dy from at most ceil(kh/sh)·ceil(kw/sw) windows, summed in
                // either order: a few ulp of a sum of O(1) values.
                int overlaps = ((g.kernelH() + g.strideH() - 1) / g.strideH()) * ((g.kernelW() + g.strideW() - 1) / g.strideW());
                double sumTol = 2 * (overlaps + 1) * ULP;
                assertClose(what + " max backward", gpu, cpu, "dxMax", sumTol, 0);
                assertClose(what + " max backward accumulate", gpu, cpu, "dxMaxAcc", sumTol, 2 * ULP);
                assertClose(what + " avg backward", gpu, cpu, "dxAvg", sumTol, 2 * ULP);
                assertClose(what + " avg backward accumulate", gpu, cpu, "dxAvgAcc", sumTol, 2 * ULP);
            }
        }
    }

    @Test
    void ownMaxPoolRoutesTiesToTheFirstMaximumLikeTheCpu() {
        // DeviceOps: the first maximum in row-major window order wins. cuDNN documents no tie
        // rule, so this runs on the own kernels only (docs/cuda.md).
        CudaDevice dev = Parity.gpu(KernelChoice.OWN);
        SplittableRandom r = new SplittableRandom(23);
        for (Pool2dGeometry g : POOLS) {
            float[] x = new float[g.inputNumel()];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(3);  // values 0, 1, 2: ties in almost every window
            }
            float[] dy = uniform(r, g.outputNumel(), -1, 1);
            try (Run cpu = new Run(CPU); Run gpu = new Run(dev)) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().maxPool2dForward(g, run.in("x", x), run.out("y", g.outputNumel()));
                    run.ops().maxPool2dBackward(g, run.buffer("x"), run.buffer("y"), run.in("dy", dy),
                            run.out("dx", g.inputNumel()), false);
                }
                assertSame("max pool with ties " + g, gpu.get("y"), cpu.get("y"));
                assertClose("max pool backward with ties " + g, gpu, cpu, "dx", 8 * ULP, 0);
            }
        }
    }
}
