package jgrad.cuda;

import static jgrad.cuda.Parity.CPU;
import static jgrad.cuda.Parity.ULP;
import static jgrad.cuda.Parity.assertClose;
import static jgrad.cuda.Parity.assertSame;
import static jgrad.cuda.Parity.labels;
import static jgrad.cuda.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jgrad.cuda.Parity.Run;
import jgrad.device.KernelChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Neural-net primitives and optimizer updates on the GPU against the CPU reference. */
@GpuTest
class CudaNnParityTest {
    /** See CudaElementwiseParityTest: kernels that repeat the CPU's float expression. */
    static final double BITWISE = 4 * ULP;

    private static CudaDevice own() {
        return Parity.gpu(KernelChoice.OWN);
    }

    @Test
    void softmaxCrossEntropyForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(1);
        int[][] shapes = {{1, 1}, {1, 10}, {7, 3}, {100, 10}, {33, 1000}, {5, 4099}, {4099, 2}};
        for (int[] s : shapes) {
            int m = s[0];
            int c = s[1];
            float[] logits = uniform(r, m * c, -20, 20);
            float[] y = labels(r, m, c);
            float[] dloss = {(float) r.nextDouble(0.5, 2)};
            float[] prior = uniform(r, m * c, -1, 1);
            String what = "softmaxCrossEntropy " + m + "x" + c;
            try (Run cpu = new Run(CPU); Run gpu = new Run(own())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().softmaxCrossEntropy(run.in("logits", logits), run.in("labels", y), run.out("probs", m * c),
                            run.out("loss", 1), m, c);
                }
                // probs: e = (float) exp(double) on both, row sums in double (different order), one
                // float scale: within a couple of ulp; atol for probabilities that underflow towards 0.
                assertClose(what, gpu, cpu, "probs", 1e-30, 4 * ULP);
                // loss: per-row logsumexp in double, mean of m doubles rounded once to float.
                assertClose(what, gpu, cpu, "loss", 1e-7, 2 * ULP);
                float[] probs = cpu.get("probs");  // both backwards from the same probabilities
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().softmaxCrossEntropyBackward(run.in("p", probs), run.buffer("labels"), run.in("dloss", dloss),
                            run.out("dlogits", m * c), m, c, false);
                    run.ops().softmaxCrossEntropyBackward(run.buffer("p"), run.buffer("labels"), run.buffer("dloss"),
                            run.in("dlogitsAcc", prior), m, c, true);
                }
                // scale = dloss/m then scale·(p − onehot): the same float steps on both.
                assertClose(what + " backward", gpu, cpu, "dlogits", 0, BITWISE);
                assertClose(what + " backward accumulate", gpu, cpu, "dlogitsAcc", 1e-30, BITWISE);
            }
        }
    }

    @Test
    void invalidLabelsGiveNaNInsteadOfReadingOutsideTheRow() {
        // The CPU throws; a kernel cannot, so the documented GPU behaviour is a NaN loss.
        try (Run gpu = new Run(own())) {
            gpu.ops().softmaxCrossEntropy(gpu.in("logits", new float[] {1, 2, 3, 4, 5, 6}), gpu.in("labels",
                    new float[] {1, 7}), gpu.out("probs", 6), gpu.out("loss", 1), 2, 3);
            assertTrue(Float.isNaN(gpu.get("loss")[0]), "loss with label 7 of 3 classes");
            gpu.ops().gatherRows(gpu.in("table", new float[] {1, 2, 3, 4}), gpu.in("index", new float[] {1, 2.5f}),
                    gpu.out("rows", 4), 2, 2);
            float[] rows = gpu.get("rows");
            assertSame("gather with a bad index", rows, new float[] {3, 4, Float.NaN, Float.NaN});
        }
    }

    @Test
    void gatherArgmaxAndDropoutAreExact() {
        SplittableRandom r = new SplittableRandom(2);
        for (int rowLength : new int[] {1, 7, 784}) {
            for (int count : new int[] {1, 100, 513}) {
                int rows = 50;
                float[] table = uniform(r, rows * rowLength, -1, 1);
                float[] index = labels(r, count, rows);
                try (Run cpu = new Run(CPU); Run gpu = new Run(own())) {
                    for (Run run : new Run[] {cpu, gpu}) {
                        run.ops().gatherRows(run.in("table", table), run.in("index", index),
                                run.out("out", count * rowLength), count, rowLength);
                    }
                    assertSame("gatherRows " + count + "x" + rowLength, gpu.get("out"), cpu.get("out"));
                }
            }
        }
        int[][] shapes = {{1, 1}, {1, 10}, {100, 10}, {37, 1001}, {5000, 3}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            float[] x = uniform(r, m * n, -2, 2);
            for (int i = 0; i < x.length; i += 3) {
                x[i] = Math.round(x[i] * 2) / 2f;  // many ties: the first maximum must win on both
            }
            try (Run cpu = new Run(CPU); Run gpu = new Run(own())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().argmaxRows(run.in("x", x), run.out("idx", m), m, n);
                }
                assertSame("argmaxRows " + m + "x" + n, gpu.get("idx"), cpu.get("idx"));
            }
        }
        for (float p : new float[] {0f, 0.1f, 0.5f, 0.9f}) {
            for (int n : new int[] {1, 33, 100_003}) {
                float[] x = uniform(r, n, -2, 2);
                long seed = r.nextLong();
                try (Run cpu = new Run(CPU); Run gpu = new Run(own())) {
                    for (Run run : new Run[] {cpu, gpu}) {
                        run.ops().dropout(run.in("x", x), run.out("mask", n), run.out("y", n), n, p, seed);
                    }
                    // The same counter-based hash of (seed, i) on both devices: the same mask bits.
                    assertSame("dropout mask p=" + p + " n=" + n, gpu.get("mask"), cpu.get("mask"));
                    assertSame("dropout y p=" + p + " n=" + n, gpu.get("y"), cpu.get("y"));
                }
            }
        }
    }

    /**
     * Batch norm tolerances. Own kernel: double statistics like the CPU, different summation
     * order; y = x·scale + shift with float scale/shift that may differ in the last bit, so
     * 1e-5 absolute on O(1) outputs. cuDNN: its own float accumulation; for up to 10^4 values per
     * channel the relative error of mean and variance stays below ~1e-5, hence 1e-4 on outputs
     * and statistics.
     */
    private static double bnTol(KernelChoice k) {
        return k == KernelChoice.VENDOR ? 1e-4 : 1e-5;
    }

    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void batchNormForwardAndBackward(KernelChoice kernels) {
        CudaDevice dev = Parity.gpu(kernels);
        SplittableRandom r = new SplittableRandom(3);
        int[][] shapes = {{2, 1, 1}, {100, 100, 1}, {7, 3, 5}, {16, 8, 49}, {3, 17, 1}, {64, 4, 1024}};
        for (int[] s : shapes) {
            int m = s[0];
            int c = s[1];
            int sp = s[2];
            int n = m * c * sp;
            float[] x = uniform(r, n, -3, 5);
            float[] gamma = uniform(r, c, 0.5, 2);
            float[] beta = uniform(r, c, -1, 1);
            float[] runMean = uniform(r, c, -1, 1);
            float[] runVar = uniform(r, c, 0.5, 2);
            float[] dy = uniform(r, n, -1, 1);
            float[] priorDx = uniform(r, n, -1, 1);
            float[] priorParams = uniform(r, c, -1, 1);
            String what = "batchNorm [" + kernels + "] " + m + "x" + c + "x" + sp;
            double tol = bnTol(kernels);
            try (Run cpu = new Run(CPU); Run gpu = new Run(dev)) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().batchNormForward(run.in("x", x), run.in("gamma", gamma), run.in("beta", beta),
                            run.out("y", n), run.out("saveMean", c), run.out("saveInvStd", c), run.in("runMean", runMean),
                            run.in("runVar", runVar), m, c, sp, 0.1f, 1e-5f, true);
                    run.ops().batchNormForward(run.buffer("x"), run.buffer("gamma"), run.buffer("beta"),
                            run.out("yEval", n), run.out("evalMean", c), run.out("evalInvStd", c), run.buffer("runMean"),
                            run.buffer("runVar"), m, c, sp, 0.1f, 1e-5f, false);
                }
                assertClose(what, gpu, cpu, "y", tol, tol);
                assertClose(what, gpu, cpu, "saveMean", tol, tol);
                assertClose(what, gpu, cpu, "saveInvStd", tol, tol);
                assertClose(what + " (momentum 0.1, unbiased variance)", gpu, cpu, "runMean", tol, tol);
                assertClose(what + " (momentum 0.1, unbiased variance)", gpu, cpu, "runVar", tol, tol);
                assertClose(what + " eval", gpu, cpu, "yEval", tol, tol);
                assertClose(what + " eval", gpu, cpu, "evalInvStd", tol, tol);
                // Backward from the CPU's saved statistics on both, to test the backward alone.
                float[] saveMean = cpu.get("saveMean");
                float[] saveInvStd = cpu.get("saveInvStd");
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().batchNormBackward(run.buffer("x"), run.in("dy", dy), run.buffer("gamma"),
                            run.in("sm", saveMean), run.in("si", saveInvStd), run.out("dx", n), run.out("dgamma", c),
                            run.out("dbeta", c), m, c, sp, false, false);
                    run.ops().batchNormBackward(run.buffer("x"), run.buffer("dy"), run.buffer("gamma"), run.buffer("sm"),
                            run.buffer("si"), run.in("dxAcc", priorDx), run.in("dgammaAcc", priorParams),
                            run.in("dbetaAcc", priorParams), m, c, sp, true, true);
                }
                // dgamma/dbeta are sums over m·spatial values of O(1): scale the atol with the count.
                double sumTol = tol * Math.sqrt((double) m * sp);
                for (String out : new String[] {"dx", "dxAcc"}) {
                    assertClose(what + " backward", gpu, cpu, out, tol, tol);
                }
                for (String out : new String[] {"dgamma", "dbeta", "dgammaAcc", "dbetaAcc"}) {
                    assertClose(what + " backward", gpu, cpu, out, sumTol, tol);
                }
            }
        }
    }

    @Test
    void optimizerUpdatesMatchStepForStep() {
        SplittableRandom r = new SplittableRandom(4);
        for (int n : new int[] {1, 33, 4099, 300_001}) {
            for (float wd : new float[] {0f, 0.01f}) {
                float[] w = uniform(r, n, -1, 1);
                float[] g = uniform(r, n, -1, 1);
                float[] v = uniform(r, n, -0.1, 0.1);
                float[] h = uniform(r, n, 0, 0.5);
                float[] m1 = uniform(r, n, -0.1, 0.1);
                float[] m2 = uniform(r, n, 0, 0.01);
                String what = "n=" + n + " wd=" + wd;
                try (Run cpu = new Run(CPU); Run gpu = new Run(own())) {
                    for (Run run : new Run[] {cpu, gpu}) {
                        run.ops().sgdUpdate(run.in("wSgd", w), run.in("g", g), n, 0.1f, wd);
                        run.ops().momentumUpdate(run.in("wMom", w), run.buffer("g"), run.in("v", v), n, 0.01f, 0.9f, wd);
                        run.ops().adagradUpdate(run.in("wAda", w), run.buffer("g"), run.in("h", h), n, 0.01f, 1e-7f, wd);
                        for (int t : new int[] {1, 2, 10}) {  // three Adam steps: bias corrections of several t
                            if (t == 1) {
                                run.in("wAdam", w);
                                run.in("m", m1);
                                run.in("v2", m2);
                            }
                            run.ops().adamUpdate(run.buffer("wAdam"), run.buffer("g"), run.buffer("m"), run.buffer("v2"), n,
                                    0.001f, 0.9f, 0.999f, 1e-8f, t, wd);
                        }
                    }
                    for (String out : new String[] {"wSgd", "wMom", "v", "wAda", "h", "wAdam", "m", "v2"}) {
                        // optim.cu repeats CpuOptimKernels' expressions; sqrtf and Math.sqrt are both exact.
                        assertClose("optimizer " + what, gpu, cpu, out, 1e-30, BITWISE);
                    }
                }
            }
        }
    }
}
