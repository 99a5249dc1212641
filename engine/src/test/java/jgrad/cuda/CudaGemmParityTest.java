package jgrad.cuda;

import static jgrad.cuda.Parity.CPU;
import static jgrad.cuda.Parity.U;
import static jgrad.cuda.Parity.abs;
import static jgrad.cuda.Parity.assertWithin;
import static jgrad.cuda.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jgrad.cuda.Parity.Run;
import jgrad.device.KernelChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GEMM on the GPU (own sgemm_tiled with --kernels own, cuBLAS with vendor) against the CPU's
 * SGEMM, all four transpose combinations, odd sizes and size 1.
 *
 * <p>Tolerance: any float32 dot product of length k is within γ_k·Σ|a||b| of the exact one
 * (γ_k ≈ k·u, u = 2^-24; Higham, Accuracy and Stability, 3.1), whatever the summation order or
 * use of FMA. The CPU and GPU results are each that close, so they differ by at most
 * 2·γ_k·(|A|·|B|)ᵢⱼ·|alpha| plus the beta·C term's rounding; |A|·|B| is computed on the CPU.
 */
@GpuTest
class CudaGemmParityTest {
    static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {3, 5, 1}, {33, 65, 17}, {128, 128, 128}, {129, 257, 100}, {300, 10, 784},
        {100, 784, 300}, {1, 1000, 1000}, {517, 3, 2049}
    };

    /** Per-element bound: 2·(k+2)·u·|alpha|·(|A|·|B|) + 2u·|beta·C| + a floor for exact zeros. */
    static double[] gemmBound(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta,
                              float[] c, double unitRoundoff) {
        float[] absProduct;
        try (Run cpu = new Run(CPU)) {
            cpu.ops().gemm(ta, tb, m, n, k, 1f, cpu.in("a", abs(a)), cpu.in("b", abs(b)), 0f, cpu.out("c", m * n));
            absProduct = cpu.get("c");
        }
        double[] tol = new double[m * n];
        for (int i = 0; i < tol.length; i++) {
            double betaTerm = beta == 0f ? 0 : Math.abs(beta * c[i]);
            tol[i] = 2 * (k + 2) * unitRoundoff * Math.abs(alpha) * absProduct[i] + 2 * U * betaTerm + 1e-30;
        }
        return tol;
    }

    private static void compare(KernelChoice kernels, CudaDevice dev, double unitRoundoff) {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] s : SHAPES) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    float[] a = uniform(r, m * k, -1, 1);
                    float[] b = uniform(r, k * n, -1, 1);
                    float[] c = uniform(r, m * n, -1, 1);
                    String what = String.format("gemm [%s%s] %s%s m=%d n=%d k=%d", kernels,
                            dev.usesCublas() ? " cuBLAS" : " own", ta ? "Aᵀ" : "A", tb ? "Bᵀ" : "B", m, n, k);
                    try (Run cpu = new Run(CPU); Run gpu = new Run(dev)) {
                        for (Run run : new Run[] {cpu, gpu}) {
                            // beta = 0: C starts as NaN and must not be read.
                            run.ops().gemm(ta, tb, m, n, k, 1f, run.in("a", a), run.in("b", b), 0f, run.out("c0", m * n));
                            run.ops().gemm(ta, tb, m, n, k, -0.5f, run.buffer("a"), run.buffer("b"), 1.5f,
                                    run.in("c1", c));
                        }
                        assertWithin(what + " alpha=1 beta=0", gpu.get("c0"), cpu.get("c0"),
                                gemmBound(ta, tb, m, n, k, 1f, a, b, 0f, c, unitRoundoff), "2·γ_k·|A||B|");
                        assertWithin(what + " alpha=-0.5 beta=1.5", gpu.get("c1"), cpu.get("c1"),
                                gemmBound(ta, tb, m, n, k, -0.5f, a, b, 1.5f, c, unitRoundoff), "2·γ_k·|A||B| + 2u·|βC|");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void allFourTransposeCombinations(KernelChoice kernels) {
        CudaDevice dev = Parity.gpu(kernels);
        assertEquals(kernels == KernelChoice.VENDOR, dev.usesCublas(), dev.providers());
        compare(kernels, dev, U);
    }

    @Test
    void cublasWithTf32StaysWithinTf32Rounding() {
        Parity.gpu(KernelChoice.VENDOR);  // skips with the reason when cuBLAS is missing
        try (CudaDevice dev = CudaDevice.open(0, KernelChoice.VENDOR, true)) {
            assertTrue(dev.providers().contains("TF32"), dev.providers());
            // TF32 rounds each input to 10 mantissa bits (u = 2^-11 per operand, two operands per
            // product) and accumulates in FP32: bound with u = 2^-10 on every term.
            compare(KernelChoice.VENDOR, dev, 0x1.0p-10);
        }
    }

    @Test
    void anEmptyOutputIsANoOp() {
        // m = 0 (an empty batch) is legal on the CPU too; nothing may be launched or written.
        CudaDevice dev = Parity.gpu(KernelChoice.OWN);
        try (Run gpu = new Run(dev)) {
            gpu.ops().gemm(false, false, 0, 5, 3, 1f, gpu.out("a", 1), gpu.in("b", new float[15]), 0f,
                    gpu.in("c", new float[] {42f}));
            Parity.assertSame("C untouched", gpu.get("c"), new float[] {42f});
        }
    }
}
