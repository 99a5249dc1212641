package jgrad.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class SgemmTest {

    private static final int[] SIZES = {1, 3, 6, 7, 17, 33, 100, 129};

    /** Stored problem with padding: offsets and leading dims larger than needed. */
    private record Problem(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    }

    private static Problem make(Random rnd, boolean ta, boolean tb, int m, int n, int k, int pad) {
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = Math.max(1, aCols) + pad, ldb = Math.max(1, bCols) + pad, ldc = Math.max(1, n) + pad;
        int aOff = pad * 3, bOff = pad * 5, cOff = pad * 7;
        float[] a = random(rnd, aOff + aRows * lda + pad);
        float[] b = random(rnd, bOff + bRows * ldb + pad);
        float[] c = random(rnd, cOff + m * ldc + pad);
        return new Problem(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextFloat() * 2f - 1f;
        }
        return x;
    }

    /** Double-precision reference; also returns sum |terms| per element for the tolerance. */
    private static double[][] reference(Problem p, float alpha, float beta, float[] cIn) {
        double[] ref = new double[p.m * p.n];
        double[] mag = new double[p.m * p.n];
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                double s = 0, abs = 0;
                for (int l = 0; l < p.k; l++) {
                    double av = p.ta ? p.a[p.aOff + l * p.lda + i] : p.a[p.aOff + i * p.lda + l];
                    double bv = p.tb ? p.b[p.bOff + j * p.ldb + l] : p.b[p.bOff + l * p.ldb + j];
                    s += av * bv;
                    abs += Math.abs(av * bv);
                }
                double cv = beta == 0f ? 0 : beta * (double) cIn[p.cOff + i * p.ldc + j];
                ref[i * p.n + j] = alpha * s + cv;
                mag[i * p.n + j] = Math.abs(alpha) * abs + Math.abs(cv);
            }
        }
        return new double[][] {ref, mag};
    }

    private static void check(Problem p, float alpha, float beta) {
        float[] cIn = p.c.clone();
        double[][] rm = reference(p, alpha, beta, cIn);
        Sgemm.sgemm(p.ta, p.tb, p.m, p.n, p.k, alpha, p.a, p.aOff, p.lda, p.b, p.bOff, p.ldb,
                beta, p.c, p.cOff, p.ldc);
        // float32 accumulation error grows ~ k * eps * sum|terms|; 1e-4 atol/rtol scaled by k.
        double tol = 1e-4 * Math.max(1.0, p.k / 64.0);
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                double want = rm[0][i * p.n + j];
                double got = p.c[p.cOff + i * p.ldc + j];
                if (!(Math.abs(got - want) <= tol + tol * rm[1][i * p.n + j])) {
                    fail(String.format("C[%d,%d] = %s, want %s (ta=%b tb=%b m=%d n=%d k=%d alpha=%s beta=%s)",
                            i, j, got, want, p.ta, p.tb, p.m, p.n, p.k, alpha, beta));
                }
            }
        }
        // Padding around and between C's rows must be untouched.
        for (int idx = 0; idx < p.c.length; idx++) {
            int rel = idx - p.cOff;
            boolean inside = rel >= 0 && rel / p.ldc < p.m && rel % p.ldc < p.n;
            if (!inside) {
                assertEquals(cIn[idx], p.c[idx], "C padding changed at " + idx);
            }
        }
    }

    @Test
    void allTransposeCombosAndOddSizes() {
        Random rnd = new Random(1);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        int k = SIZES[rnd.nextInt(SIZES.length)];
                        check(make(rnd, ta, tb, m, n, k, rnd.nextInt(3)), 1f, 0f);
                    }
                }
            }
        }
    }

    @Test
    void alphaBetaVariants() {
        Random rnd = new Random(2);
        float[][] ab = {{1f, 1f}, {0.5f, 1f}, {1f, -2f}, {-1.5f, 0.25f}, {2f, 0f}, {0f, 0.5f}, {0f, 0f}};
        for (float[] v : ab) {
            for (int t = 0; t < 4; t++) {
                check(make(rnd, (t & 1) != 0, (t & 2) != 0, 37, 45, 29, 2), v[0], v[1]);
            }
        }
    }

    @Test
    void largeKSpansSeveralKBlocks() {
        Random rnd = new Random(3);
        int k = Sgemm.KC_MAX * 2 + 37;
        for (int t = 0; t < 4; t++) {
            check(make(rnd, (t & 1) != 0, (t & 2) != 0, 50, 70, k, 1), 0.75f, 0.5f);
        }
        check(make(rnd, false, false, 300, 260, 700, 0), 1f, 0f); // several MC blocks, parallel path
    }

    /** Narrow column remainders (n mod NR up to 9) over several k blocks: the SgemmTails path and its edges. */
    @Test
    void narrowColumnTails() {
        Random rnd = new Random(4);
        float[][] ab = {{1f, 0f}, {1f, 1f}, {-0.5f, 0.75f}};
        for (int t = 1; t <= 9; t++) {
            for (int k : new int[] {60, 64, 100, 2 * Sgemm.KC_MAX + 37}) {
                for (int tr = 0; tr < 4; tr++) {
                    int m = 1 + rnd.nextInt(70);
                    float[] v = ab[rnd.nextInt(ab.length)];
                    check(make(rnd, (tr & 1) != 0, (tr & 2) != 0, m, SgemmKernels.NR * (1 + t % 3) + t, k,
                            rnd.nextInt(3)), v[0], v[1]);
                }
            }
        }
        // The MLP's shapes, large enough for the parallel split.
        check(make(rnd, false, false, 100, 100, 784, 0), 1f, 0f);
        check(make(rnd, true, false, 784, 100, 100, 0), 1f, 0f);
    }

    /**
     * With op(A) = Aᵀ the tail columns are rounded exactly as inside a full panel: the same
     * columns computed as a tail (n = 100) and inside a wider problem (n = 128) have the same bits.
     */
    @Test
    void transposedATailHasThePanelBits() {
        Random rnd = new Random(5);
        for (int k : new int[] {100, 2 * Sgemm.KC_MAX + 37}) {
            int m = 157;
            float[] a = random(rnd, k * m);
            float[] wide = random(rnd, k * 128);
            float[] narrow = new float[k * 100];
            for (int p = 0; p < k; p++) {
                System.arraycopy(wide, p * 128, narrow, p * 100, 100);
            }
            float[] cw = random(rnd, m * 128);
            float[] cn = new float[m * 100];
            for (int i = 0; i < m; i++) {
                System.arraycopy(cw, i * 128, cn, i * 100, 100);
            }
            Sgemm.sgemm(true, false, m, 128, k, 0.5f, a, 0, m, wide, 0, 128, 0.25f, cw, 0, 128);
            Sgemm.sgemm(true, false, m, 100, k, 0.5f, a, 0, m, narrow, 0, 100, 0.25f, cn, 0, 100);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < 100; j++) {
                    assertEquals(Float.floatToRawIntBits(cw[i * 128 + j]), Float.floatToRawIntBits(cn[i * 100 + j]),
                            "C[" + i + "," + j + "] k=" + k);
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        Random rnd = new Random(4);
        for (int t = 0; t < 4; t++) {
            Problem p = make(rnd, (t & 1) != 0, (t & 2) != 0, 19, 35, 23, 1);
            for (int i = 0; i < p.m; i++) {
                Arrays.fill(p.c, p.cOff + i * p.ldc, p.cOff + i * p.ldc + p.n, Float.NaN);
            }
            check(p, 1.25f, 0f);
        }
    }

    @Test
    void kZeroScalesC() {
        float[] c = {1f, 2f, 3f, 4f};
        Sgemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[2], 0, 2, 3f, c, 0, 2);
        assertArrayEquals(new float[] {3f, 6f, 9f, 12f}, c);
        float[] nan = {Float.NaN, Float.NaN};
        Sgemm.sgemm(false, false, 1, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, nan, 0, 2);
        assertArrayEquals(new float[] {0f, 0f}, nan);
    }

    @Test
    void emptyMOrNIsNoOp() {
        float[] c = {5f};
        Sgemm.sgemm(false, false, 0, 1, 3, 1f, new float[0], 0, 3, new float[3], 0, 1, 0f, c, 0, 1);
        Sgemm.sgemm(false, false, 1, 0, 3, 1f, new float[3], 0, 3, new float[0], 0, 1, 0f, c, 0, 1);
        assertArrayEquals(new float[] {5f}, c);
    }

    @Test
    void bitIdenticalAcrossThreadCounts() {
        Random rnd = new Random(5);
        int[][] shapes = {{100, 100, 784}, {784, 100, 100}, {257, 131, 700}, {5, 300, 200}, {512, 512, 512}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                Problem p = make(rnd, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1);
                float[] c1 = p.c.clone();
                float[] c2 = p.c.clone();
                Parallel.withThreads(1, () -> Sgemm.sgemm(p.ta, p.tb, p.m, p.n, p.k, 0.9f, p.a, p.aOff,
                        p.lda, p.b, p.bOff, p.ldb, 0.3f, c1, p.cOff, p.ldc));
                Parallel.withThreads(2, () -> Sgemm.sgemm(p.ta, p.tb, p.m, p.n, p.k, 0.9f, p.a, p.aOff,
                        p.lda, p.b, p.bOff, p.ldb, 0.3f, c2, p.cOff, p.ldc));
                float[] c3 = p.c.clone();
                Parallel.withThreads(3, () -> Sgemm.sgemm(p.ta, p.tb, p.m, p.n, p.k, 0.9f, p.a, p.aOff,
                        p.lda, p.b, p.bOff, p.ldb, 0.3f, c3, p.cOff, p.ldc));
                assertArrayEquals(c1, c2, "threads 1 vs 2 differ for " + Arrays.toString(s) + " t=" + t);
                assertArrayEquals(c1, c3, "threads 1 vs 3 differ for " + Arrays.toString(s) + " t=" + t);
            }
        }
    }

    @Test
    void validatesArguments() {
        float[] a = new float[12], b = new float[12], c = new float[12];
        assertIae("non-negative", () -> Sgemm.sgemm(false, false, -1, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertIae("non-negative", () -> Sgemm.sgemm(false, false, 2, 2, -3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertIae("leading dimension of A", () -> Sgemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertIae("leading dimension of A", () -> Sgemm.sgemm(true, false, 4, 2, 2, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        assertIae("leading dimension of B", () -> Sgemm.sgemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        assertIae("leading dimension of C", () -> Sgemm.sgemm(false, false, 2, 3, 2, 1f, a, 0, 2, b, 0, 3, 0f, c, 0, 2));
        assertIae("A too short", () -> Sgemm.sgemm(false, false, 4, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
        assertIae("B too short", () -> Sgemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 7, 6, 0f, c, 0, 2));
        assertIae("C too short", () -> Sgemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 11, 2));
        assertIae("offset of B", () -> Sgemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, -1, 2, 0f, c, 0, 2));
        assertIae("is null", () -> Sgemm.sgemm(false, false, 2, 2, 2, 1f, null, 0, 2, b, 0, 2, 0f, c, 0, 2));
    }

    private static void assertIae(String fragment, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
