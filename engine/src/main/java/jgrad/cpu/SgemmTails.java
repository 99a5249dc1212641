package jgrad.cpu;

import static jgrad.cpu.SgemmKernels.S;
import static jgrad.cpu.SgemmKernels.VL;

import jdk.incubator.vector.FloatVector;

/**
 * The last few columns of C when n is not a multiple of the micro-tile width, such as the 4
 * columns left of an MLP's 100 hidden units after three 32-wide panels.
 *
 * <p>Why: the micro-kernels vectorize along n, so a 4-column remainder runs a 16-lane kernel of
 * which 12 lanes are padding: one vector FMA per row of C per k step, 14% of the MLP's GEMM time
 * for 4% of its columns. Here the remainder is vectorized along another dimension, in groups of
 * {@link #G} columns, with no padding lanes:
 * <ul>
 *   <li>op(A) = Aᵀ (rows of C are contiguous in A): lanes are 16 rows of C, one FMA per column
 *       per k step. Each element is accumulated exactly as the micro-kernels do it (FMA in
 *       ascending k within the same k blocks, then the same alpha/beta update), so the result has
 *       the same bits as the packed path;
 *   <li>op(A) = A (k is contiguous in A): lanes are 16 steps of k, a 4×4 block of dot products,
 *       each reduced across lanes in a fixed order. Not the packed path's rounding, but fixed per
 *       element: independent of the thread count and of compiled or interpreted code.
 * </ul>
 */
final class SgemmTails {
    /** Columns per group: 4 accumulators per row vector, 16 for a 4-row dot-product block. */
    static final int G = 4;
    /** Tails up to this many columns take this path; wider ones lose less to padding. */
    static final int MAX_COLS = 8;
    /** Dot products need enough k steps to pay for their reduction across lanes. */
    static final int MIN_K_DOT = 4 * VL;

    private SgemmTails() {
    }

    /** Whether a tail of {@code cols} columns of a GEMM with these op(A) and k takes this path. */
    static boolean applies(boolean transA, int cols, int k) {
        // At 8 lanes the dot-product block (16 accumulators + 5 operands) does not fit AVX2's 16
        // vector registers, and a remainder of at most VL columns wastes at most half an 8-lane panel.
        return cols > 0 && cols <= MAX_COLS && (transA || VL >= 16 && k >= MIN_K_DOT);
    }

    /** Floats {@link #packB} needs for {@code cols} tail columns. */
    static int packedSize(int cols, int k) {
        return (cols + G - 1) / G * G * k;
    }

    /**
     * Packs op(B)[0..k, j0 .. j0+cols] (zero columns up to a whole group) for {@link #compute}:
     * for Aᵀ as [group][k][G] (the G values of one k step side by side), otherwise as
     * [group·G + column][k] (each column contiguous in k).
     */
    static void packB(boolean transA, boolean transB, float[] b, int bOff, int ldb, int j0, int cols, int k,
                      float[] dst) {
        int groups = (cols + G - 1) / G;
        for (int jj = 0; jj < groups * G; jj++) {
            int g = jj / G;
            int lane = jj % G;
            int step = transA ? G : 1;
            int d = transA ? g * k * G + lane : jj * k;
            if (jj >= cols) {
                for (int p = 0; p < k; p++, d += step) {
                    dst[d] = 0f;
                }
            } else if (transB) {
                int s = bOff + (j0 + jj) * ldb;
                for (int p = 0; p < k; p++, d += step) {
                    dst[d] = b[s + p];
                }
            } else {
                int s = bOff + j0 + jj;
                for (int p = 0; p < k; p++, d += step, s += ldb) {
                    dst[d] = b[s];
                }
            }
        }
    }

    /**
     * C[rowFrom..rowTo, j0 .. j0+cols] = alpha·op(A)·op(B) + beta·C for those rows, op(B)'s columns
     * packed by {@link #packB}; {@code kc} is the packed path's k block (see the class comment).
     */
    static void compute(boolean transA, int rowFrom, int rowTo, int cols, int k, int kc, float alpha,
                        float[] a, int aOff, int lda, float[] tb, float beta, float[] c, int cOff, int ldc,
                        float[] tmp) {
        for (int g = 0; g * G < cols; g++) {
            int gCols = Math.min(G, cols - g * G);
            int co = cOff + g * G;
            if (transA) {
                rowLanes(rowFrom, rowTo, gCols, k, kc, alpha, a, aOff, lda, tb, g * k * G, beta, c, co, ldc, tmp);
            } else {
                dotLanes(rowFrom, rowTo, gCols, k, alpha, a, aOff, lda, tb, g * G * k, beta, c, co, ldc, tmp);
            }
        }
    }

    /** Aᵀ: 16 rows per vector, G columns; rows left over (fewer than a vector) in scalar, same rounding. */
    private static void rowLanes(int rowFrom, int rowTo, int cols, int k, int kc, float alpha, float[] a, int aOff,
                                 int lda, float[] tb, int to, float beta, float[] c, int co, int ldc, float[] tmp) {
        int i = rowFrom;
        for (; i + VL <= rowTo; i += VL) {
            for (int pc = 0; pc < k; pc += kc) {
                int kcur = Math.min(kc, k - pc);
                FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                int s = aOff + pc * lda + i;
                int t = to + pc * G;
                for (int p = 0; p < kcur; p++) {
                    FloatVector x = FloatVector.fromArray(S, a, s + p * lda);
                    int ti = t + p * G;
                    c0 = x.fma(FloatVector.broadcast(S, tb[ti]), c0);
                    c1 = x.fma(FloatVector.broadcast(S, tb[ti + 1]), c1);
                    c2 = x.fma(FloatVector.broadcast(S, tb[ti + 2]), c2);
                    c3 = x.fma(FloatVector.broadcast(S, tb[ti + 3]), c3);
                }
                c0.intoArray(tmp, 0);
                c1.intoArray(tmp, VL);
                c2.intoArray(tmp, 2 * VL);
                c3.intoArray(tmp, 3 * VL);
                float betaEff = pc == 0 ? beta : 1f;
                for (int j = 0; j < cols; j++) {
                    for (int r = 0; r < VL; r++) {
                        int o = co + (i + r) * ldc + j;
                        c[o] = SgemmKernels.update(tmp[j * VL + r], c[o], alpha, betaEff);
                    }
                }
            }
        }
        for (; i < rowTo; i++) {
            for (int j = 0; j < cols; j++) {
                int o = co + i * ldc + j;
                for (int pc = 0; pc < k; pc += kc) {
                    int kcur = Math.min(kc, k - pc);
                    float acc = 0f;
                    for (int p = pc; p < pc + kcur; p++) {
                        acc = Math.fma(a[aOff + p * lda + i], tb[to + p * G + j], acc);
                    }
                    c[o] = SgemmKernels.update(acc, c[o], alpha, pc == 0 ? beta : 1f);
                }
            }
        }
    }

    /** A: 4 rows x G columns of dot products with k in the lanes; then one row at a time. */
    private static void dotLanes(int rowFrom, int rowTo, int cols, int k, float alpha, float[] a, int aOff, int lda,
                                 float[] tb, int to, float beta, float[] c, int co, int ldc, float[] tmp) {
        int kv = k / VL * VL;
        int t0 = to, t1 = t0 + k, t2 = t1 + k, t3 = t2 + k;
        int i = rowFrom;
        for (; i + 4 <= rowTo; i += 4) {
            int a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00;
            FloatVector s13 = s00, s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00;
            FloatVector s33 = s00;
            for (int p = 0; p < kv; p += VL) {
                FloatVector b0 = FloatVector.fromArray(S, tb, t0 + p);
                FloatVector b1 = FloatVector.fromArray(S, tb, t1 + p);
                FloatVector b2 = FloatVector.fromArray(S, tb, t2 + p);
                FloatVector b3 = FloatVector.fromArray(S, tb, t3 + p);
                FloatVector x = FloatVector.fromArray(S, a, a0 + p);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.fromArray(S, a, a1 + p);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.fromArray(S, a, a2 + p);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.fromArray(S, a, a3 + p);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
            }
            s00.intoArray(tmp, 0);
            s01.intoArray(tmp, VL);
            s02.intoArray(tmp, 2 * VL);
            s03.intoArray(tmp, 3 * VL);
            s10.intoArray(tmp, 4 * VL);
            s11.intoArray(tmp, 5 * VL);
            s12.intoArray(tmp, 6 * VL);
            s13.intoArray(tmp, 7 * VL);
            s20.intoArray(tmp, 8 * VL);
            s21.intoArray(tmp, 9 * VL);
            s22.intoArray(tmp, 10 * VL);
            s23.intoArray(tmp, 11 * VL);
            s30.intoArray(tmp, 12 * VL);
            s31.intoArray(tmp, 13 * VL);
            s32.intoArray(tmp, 14 * VL);
            s33.intoArray(tmp, 15 * VL);
            for (int r = 0; r < 4; r++) {
                for (int j = 0; j < cols; j++) {
                    float dot = finish(tmp, (r * G + j) * VL, a, aOff + (i + r) * lda, tb, to + j * k, kv, k);
                    int o = co + (i + r) * ldc + j;
                    c[o] = SgemmKernels.update(dot, c[o], alpha, beta);
                }
            }
        }
        for (; i < rowTo; i++) {
            int ar = aOff + i * lda;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < kv; p += VL) {
                FloatVector x = FloatVector.fromArray(S, a, ar + p);
                s0 = x.fma(FloatVector.fromArray(S, tb, t0 + p), s0);
                s1 = x.fma(FloatVector.fromArray(S, tb, t1 + p), s1);
                s2 = x.fma(FloatVector.fromArray(S, tb, t2 + p), s2);
                s3 = x.fma(FloatVector.fromArray(S, tb, t3 + p), s3);
            }
            s0.intoArray(tmp, 0);
            s1.intoArray(tmp, VL);
            s2.intoArray(tmp, 2 * VL);
            s3.intoArray(tmp, 3 * VL);
            for (int j = 0; j < cols; j++) {
                float dot = finish(tmp, j * VL, a, ar, tb, to + j * k, kv, k);
                int o = co + i * ldc + j;
                c[o] = SgemmKernels.update(dot, c[o], alpha, beta);
            }
        }
    }

    /** The lanes of one dot product summed in lane order, then the k steps past the last whole vector. */
    private static float finish(float[] lanes, int l, float[] a, int ar, float[] tb, int tc, int kv, int k) {
        float sum = 0f;
        for (int q = l; q < l + VL; q++) {
            sum += lanes[q];
        }
        for (int p = kv; p < k; p++) {
            sum = Math.fma(a[ar + p], tb[tc + p], sum);
        }
        return sum;
    }
}
