package jgrad.cuda;

import static jgrad.cuda.Parity.CPU;
import static jgrad.cuda.Parity.ULP;
import static jgrad.cuda.Parity.assertClose;
import static jgrad.cuda.Parity.assertSame;
import static jgrad.cuda.Parity.uniform;

import java.util.SplittableRandom;
import jgrad.cuda.Parity.Run;
import jgrad.device.BinaryOp;
import jgrad.device.Storage;
import jgrad.device.KernelChoice;
import jgrad.device.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Elementwise ops and reductions on the GPU against the CPU reference. These kernels are the
 * same under every --kernels choice, so they run on the own-kernel device.
 *
 * <p>Tolerance: elementwise.cu, reduce.cu and optim.cu repeat the CPU's float expression in the
 * same order with no contraction (-fmad=false, see common.cuh) and are meant to give the same
 * bits; {@link #BITWISE} allows 4 ulp so that a one-step libm difference (logf vs the JDK's log,
 * each within 1 ulp) passes while any wrong formula (errors of 1e-3 and more) fails.
 */
@GpuTest
class CudaElementwiseParityTest {
    static final double BITWISE = 4 * ULP;
    /** Odd sizes, 1, sizes around the 256-thread block and one past the 65 536-block grid cap. */
    static final int[] SIZES = {1, 2, 7, 33, 255, 257, 1000, 4099, 65_537, 256 * 65_536 + 3};

    /**
     * SIZES, but on the simulator the one past the grid cap (16.8 M elements, seconds per kernel
     * there) only where {@code gridCapCase}: once per test, so each grid-stride loop shape still runs.
     */
    static int[] sizes(boolean gridCapCase) {
        return gridCapCase || !Parity.simulated() ? SIZES : java.util.Arrays.copyOf(SIZES, SIZES.length - 1);
    }

    private static CudaDevice gpu() {
        return Parity.gpu(KernelChoice.OWN);
    }

    private static float[] inputFor(UnaryOp op, SplittableRandom r, int n) {
        return switch (op) {
            case LOG, SQRT -> uniform(r, n, 0.01, 9);          // domain of log and sqrt
            case EXP -> uniform(r, n, -80, 80);                // covers exp's clamping
            default -> uniform(r, n, -6, 6);
        };
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryForwardAndBackward(UnaryOp op) {
        SplittableRandom r = new SplittableRandom(op.ordinal());
        for (int n : sizes(op.ordinal() == 0)) {
            float[] x = inputFor(op, r, n);
            float[] dy = uniform(r, n, -1, 1);
            float[] prior = uniform(r, n, -1, 1);
            String what = "unary " + op + " n=" + n;
            try (Run cpu = new Run(CPU); Run gpu = new Run(gpu())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().unary(op, run.in("x", x), run.out("y", n), n);
                }
                assertClose(what, gpu, cpu, "y", 0, BITWISE);
                // The backward reads the saved tensor; both devices get the CPU's, to test the backward alone.
                float[] saved = op.backwardUsesOutput() ? cpu.get("y") : x;
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().unaryBackward(op, run.in("saved", saved), run.in("dy", dy), run.out("dx", n), n, false);
                    run.ops().unaryBackward(op, run.buffer("saved"), run.buffer("dy"), run.in("dxAcc", prior), n, true);
                }
                assertClose(what + " backward", gpu, cpu, "dx", 0, BITWISE);
                assertClose(what + " backward accumulate", gpu, cpu, "dxAcc", 1e-30, BITWISE);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binary(BinaryOp op) {
        SplittableRandom r = new SplittableRandom(100 + op.ordinal());
        for (int n : sizes(op.ordinal() == 0)) {
            float[] a = uniform(r, n, -10, 10);
            float[] b = op == BinaryOp.DIV ? Parity.awayFromZero(r, n, 0.25, 4) : uniform(r, n, -10, 10);
            try (Run cpu = new Run(CPU); Run gpu = new Run(gpu())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().binary(op, run.in("a", a), run.in("b", b), run.out("out", n), n);
                }
                // IEEE add/sub/mul/div are exactly rounded on both: the same bits.
                assertSame("binary " + op + " n=" + n, gpu.get("out"), cpu.get("out"));
            }
        }
    }

    @Test
    void axpbyFillCopyAndAddRowVector() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n : SIZES) {
            float[] x = uniform(r, n, -3, 3);
            float[] y = uniform(r, n, -3, 3);
            String what = "n=" + n;
            try (Run cpu = new Run(CPU); Run gpu = new Run(gpu())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().axpby(0.75f, run.in("x", x), 0f, run.out("yBeta0", n), n);  // NaN y must not be read
                    run.ops().axpby(-1.5f, run.buffer("x"), 0.25f, run.in("y", y), n);
                    run.ops().fill(run.out("filled", n), 3.25f, n);
                    run.ops().copy(run.buffer("x"), n / 3, run.out("copied", n), n / 5, n - n / 3);
                }
                assertSame("axpby beta=0 " + what, gpu.get("yBeta0"), cpu.get("yBeta0"));
                assertSame("axpby " + what, gpu.get("y"), cpu.get("y"));  // v = x·a then fma: exact on both
                assertSame("fill " + what, gpu.get("filled"), cpu.get("filled"));
                assertSame("copy with offsets " + what, gpu.get("copied"), cpu.get("copied"));
            }
        }
        int[][] shapes = {{1, 1}, {1, 37}, {37, 1}, {5, 3}, {129, 257}, {300, 10}, {2, 70_001}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            float[] x = uniform(r, m * n, -3, 3);
            float[] bias = uniform(r, n, -3, 3);
            try (Run cpu = new Run(CPU); Run gpu = new Run(gpu())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().addRowVector(run.in("x", x), run.in("bias", bias), run.out("out", m * n), m, n);
                }
                assertSame("addRowVector " + m + "x" + n, gpu.get("out"), cpu.get("out"));
            }
        }
    }

    @Test
    void sumRowsAndSumAll() {
        SplittableRandom r = new SplittableRandom(8);
        int[][] shapes = {{1, 1}, {1, 37}, {37, 1}, {5, 3}, {129, 257}, {1000, 10}, {3, 70_001}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            float[] x = uniform(r, m * n, -3, 3);
            float[] prior = uniform(r, n, -3, 3);
            String what = m + "x" + n;
            try (Run cpu = new Run(CPU); Run gpu = new Run(gpu())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    run.ops().sumRows(run.in("x", x), run.out("colSums", n), m, n, false);
                    run.ops().sumRows(run.buffer("x"), run.in("colSumsAcc", prior), m, n, true);
                    run.ops().sumAll(run.buffer("x"), run.out("total", 1), m * n);
                }
                // sum_rows walks the rows in the CPU's order with a float accumulator: same bits.
                assertClose("sumRows " + what, gpu, cpu, "colSums", 0, BITWISE);
                assertClose("sumRows accumulate " + what, gpu, cpu, "colSumsAcc", 0, BITWISE);
                // sumAll: double accumulation on both, different order; the double error (n·2^-53·Σ|x|)
                // is far below the final rounding to float, so they differ by at most 1 ulp of the sum,
                // plus a double-rounding allowance relative to Σ|x| for sums that cancel.
                double sumAbs = 0;
                for (float v : x) {
                    sumAbs += Math.abs(v);
                }
                assertClose("sumAll " + what, gpu, cpu, "total", 1e-12 * sumAbs, 2 * ULP);
            }
        }
    }

    @Test
    void flagNonFiniteKeepsTheLowestCodeOfTheBuffersWithNaNOrInfinity() {
        SplittableRandom r = new SplittableRandom(12);
        float[] bads = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n : SIZES) {
            // Buffer p holds a bad value at a size-dependent place when p is 2 or 4; the others are finite,
            // with the largest float and a denormal among them. Three buffers only past the grid cap.
            float[][] xs = new float[n > 1_000_000 ? 3 : 6][];
            for (int p = 0; p < xs.length; p++) {
                xs[p] = uniform(r, n, -1e3, 1e3);
                xs[p][(p * 7919) % n] = p % 2 == 0 ? Float.MAX_VALUE : -Float.MIN_VALUE;
            }
            if (n > 1) {
                xs[2][n - 1] = bads[n % 3];
            }
            if (xs.length > 4) {
                xs[4][n / 2] = bads[(n + 1) % 3];
            }
            float[] flags = {Float.POSITIVE_INFINITY, 1f, Float.POSITIVE_INFINITY};
            try (Run cpu = new Run(CPU); Run gpu = new Run(gpu())) {
                for (Run run : new Run[] {cpu, gpu}) {
                    Storage f = run.in("flags", flags);
                    for (int p = 0; p < xs.length; p++) {
                        run.ops().flagNonFinite(run.in("x" + p, xs[p]), n, f, 0, p);  // slot 0: first bad index
                        run.ops().flagNonFinite(run.buffer("x" + p), n, f, 1, p);     // slot 1 holds 1 already
                    }
                    run.ops().flagNonFinite(run.buffer("x0"), n, f, 2, 0f);       // finite: stays +inf
                }
                assertSame("flagNonFinite n=" + n, gpu.get("flags"), cpu.get("flags"));
                float first = n > 1 ? 2f : 4f;
                assertSame("flagNonFinite n=" + n + " vs the contract", cpu.get("flags"),
                        new float[] {first, 1f, Float.POSITIVE_INFINITY});
            }
        }
    }
}
