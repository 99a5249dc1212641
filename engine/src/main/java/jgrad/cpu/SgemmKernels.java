package jgrad.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked SGEMM micro-kernels over packed panels.
 *
 * <p>Packed A micro-panel: {@code kc} steps of {@link #MR} consecutive floats (one per row).
 * Packed B micro-panel: {@code kc} steps of {@code w} consecutive floats (w = NR or VL columns).
 * Both are zero-padded at the edges, so the kernels always run the full tile and only the final
 * write to C is clipped.
 *
 * <p>Every C element is produced the same way whatever the tile position: accumulate the k-block
 * in ascending k with FMA, then {@code C = fma(acc, alpha, beta*C)} (with exact shortcuts for
 * alpha == 1, beta == 1 and beta == 0). That is what makes results independent of thread count.
 */
final class SgemmKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /**
     * Rows per micro-tile, 6 or 4 (property jgrad.sgemm.mr overrides). 6 x (2 vectors) keeps 12
     * accumulators + 3 temporaries in registers: of AVX-512's 32 vector registers, and just within
     * AVX2's 16 at 8 lanes, where JDK 17's C2 runs it at 107 GFLOP/s per core. JDK 25's C2 spills
     * it there (52; a 5-row one 40) but not a 4-row one (103), so 8 lanes on a newer JDK get 4
     * rows. Measured on an AMD EPYC with -XX:UseAVX=2 / 3, thread CPU time, 2026-12-02.
     */
    static final int MR = rowsPerTile(Integer.getInteger("jgrad.sgemm.mr", 0));
    /** Columns per full micro-tile: two vectors. */
    static final int NR = 2 * VL;
    /** Extra floats a packed-A buffer needs after its last panel (see {@link #packA}). */
    static final int PACK_SLACK = VL;

    private SgemmKernels() {
    }

    private static int rowsPerTile(int requested) {
        if (requested == 4 || requested == 6) {
            return requested;
        }
        return VL < 16 && Runtime.version().feature() >= 25 ? 4 : 6;
    }

    /**
     * 6 x 2VL tile of op(A)·op(B) over one k block, from packed panels into {@code tmp} (MR x NR,
     * row stride NR); {@link #storeTile} then updates C from it.
     */
    static void kernel6x2(int kc, float[] ap, int ao, float[] bp, int bo, float[] tmp) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        // Indices are derived from p (not separately incremented) so C2 sees them as linear in the
        // loop variable and can eliminate the bounds checks (2x slower otherwise).
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        // The tile goes to tmp; the caller updates C (storeTile). Keeping C's alpha/beta branches
        // and edge loops out of this method keeps its compiled loop as clean as a bare FMA loop:
        // inline, they ran it at half speed, and at 8 lanes their failed loop predicates made C2
        // recompile this method again and again, sometimes settling on a 3-8x slower version.
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, VL);
        c10.intoArray(tmp, NR);
        c11.intoArray(tmp, NR + VL);
        c20.intoArray(tmp, 2 * NR);
        c21.intoArray(tmp, 2 * NR + VL);
        c30.intoArray(tmp, 3 * NR);
        c31.intoArray(tmp, 3 * NR + VL);
        c40.intoArray(tmp, 4 * NR);
        c41.intoArray(tmp, 4 * NR + VL);
        c50.intoArray(tmp, 5 * NR);
        c51.intoArray(tmp, 5 * NR + VL);
    }

    /** 6 x VL tile for a narrow last column panel (n mod NR <= VL), halving the padding waste. */
    static void kernel6x1(int kc, float[] ap, int ao, float[] bp, int bo, float[] tmp) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bi = bo + p * VL;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, ap[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, ap[ai + 5]).fma(b0, c5);
        }
        c0.intoArray(tmp, 0);
        c1.intoArray(tmp, VL);
        c2.intoArray(tmp, 2 * VL);
        c3.intoArray(tmp, 3 * VL);
        c4.intoArray(tmp, 4 * VL);
        c5.intoArray(tmp, 5 * VL);
    }

    /** {@link #kernel6x2} for 4-row tiles (MR == 4, at 8 lanes): 8 accumulators. */
    static void kernel4x2(int kc, float[] ap, int ao, float[] bp, int bo, float[] tmp) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 4;
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, VL);
        c10.intoArray(tmp, NR);
        c11.intoArray(tmp, NR + VL);
        c20.intoArray(tmp, 2 * NR);
        c21.intoArray(tmp, 2 * NR + VL);
        c30.intoArray(tmp, 3 * NR);
        c31.intoArray(tmp, 3 * NR + VL);
    }

    /** {@link #kernel6x1} for 4-row tiles (MR == 4). */
    static void kernel4x1(int kc, float[] ap, int ao, float[] bp, int bo, float[] tmp) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * VL);
            c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
        }
        c0.intoArray(tmp, 0);
        c1.intoArray(tmp, VL);
        c2.intoArray(tmp, 2 * VL);
        c3.intoArray(tmp, 3 * VL);
    }

    /**
     * {@link #kernel6x2} reading A in place instead of from a packed panel: row r of the tile is
     * {@code a[a0 + r*lda + p]} for p in [0, kc) (A not transposed, all six rows present). Skips
     * packing A, which costs as much as a fifth of a small GEMM such as an MLP layer's forward.
     */
    static void kernel6x2Direct(int kc, float[] a, int a0, int lda, float[] bp, int bo, float[] tmp) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        // Each index is p plus a loop invariant, so C2 still removes the bounds checks.
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, VL);
        c10.intoArray(tmp, NR);
        c11.intoArray(tmp, NR + VL);
        c20.intoArray(tmp, 2 * NR);
        c21.intoArray(tmp, 2 * NR + VL);
        c30.intoArray(tmp, 3 * NR);
        c31.intoArray(tmp, 3 * NR + VL);
        c40.intoArray(tmp, 4 * NR);
        c41.intoArray(tmp, 4 * NR + VL);
        c50.intoArray(tmp, 5 * NR);
        c51.intoArray(tmp, 5 * NR + VL);
    }

    /** {@link #kernel6x1} reading A in place, as {@link #kernel6x2Direct}. */
    static void kernel6x1Direct(int kc, float[] a, int a0, int lda, float[] bp, int bo, float[] tmp) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * VL);
            c0 = FloatVector.broadcast(S, a[a0 + p]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + p]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + p]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + p]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[a4 + p]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[a5 + p]).fma(b0, c5);
        }
        c0.intoArray(tmp, 0);
        c1.intoArray(tmp, VL);
        c2.intoArray(tmp, 2 * VL);
        c3.intoArray(tmp, 3 * VL);
        c4.intoArray(tmp, 4 * VL);
        c5.intoArray(tmp, 5 * VL);
    }

    /**
     * Writes a finished tile (row stride {@code stride} in tmp) into C: whole vectors when the
     * tile is full, scalar otherwise; both round identically.
     */
    static void storeTile(float[] tmp, int stride, float[] c, int co, int ldc,
                                  int rows, int cols, float alpha, float beta) {
        if (rows == MR && cols == stride) {
            for (int r = 0; r < MR; r++) {
                for (int j = 0; j < stride; j += VL) {
                    update(FloatVector.fromArray(S, tmp, r * stride + j), c, co + r * ldc + j, alpha, beta);
                }
            }
        } else {
            updateEdge(tmp, stride, c, co, ldc, rows, cols, alpha, beta);
        }
    }

    /**
     * C = fma(acc, alpha, beta*C); the shortcuts give bit-identical results. Each branch ends in
     * its own store on purpose: merging vectors from different branches (a ?: of two vectors)
     * makes C2 box them into heap objects, which once cost half the kernel's throughput.
     */
    private static void update(FloatVector acc, float[] c, int o, float alpha, float beta) {
        if (beta == 0f) {
            // C's old value (possibly NaN) is never read.
            if (alpha == 1f) {
                acc.intoArray(c, o);
            } else {
                acc.mul(alpha).intoArray(c, o);
            }
        } else if (beta == 1f) {
            if (alpha == 1f) {
                acc.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
            } else {
                acc.fma(FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, c, o)).intoArray(c, o);
            }
        } else {
            acc.fma(FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, c, o).mul(beta)).intoArray(c, o);
        }
    }

    /** Scalar twin of {@link #update} for clipped tiles; must round exactly like the vector path. */
    private static void updateEdge(float[] tmp, int stride, float[] c, int co, int ldc,
                                   int rows, int cols, float alpha, float beta) {
        for (int r = 0; r < rows; r++) {
            int t = r * stride;
            int o = co + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[o + j] = update(tmp[t + j], c[o + j], alpha, beta);
            }
        }
    }

    /** One C element's update from its accumulator: the scalar form of {@link #update}, rounding alike. */
    static float update(float acc, float old, float alpha, float beta) {
        return beta == 0f ? acc * alpha : Math.fma(acc, alpha, beta * old);
    }

    /**
     * Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row micro-panels at dst[0..]: panel ip starts
     * at ip*MR*kc, element (p, r) at p*MR + r; rows beyond mc are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float[] dst) {
        packA(transA, a, aOff, lda, i0, mc, p0, kc, dst, 0);
    }

    /**
     * {@link #packA} into {@code dst} from {@code dstOff}. {@code dst} must have {@link #PACK_SLACK}
     * floats of room after the last panel: the transposed path stores whole vectors.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float[] dst, int dstOff) {
        for (int ip = 0, d0 = dstOff; ip * MR < mc; ip++, d0 += MR * kc) {
            int rows = Math.min(MR, mc - ip * MR);
            int i = i0 + ip * MR;
            if (transA && rows == MR && VL >= MR && aOff + (long) (p0 + kc - 1) * lda + i + VL <= a.length) {
                // One vector load + store per k step instead of a 6-float arraycopy (3x faster).
                // Each store spills VL - MR floats past its slot; the next k step (or the next
                // panel, packed later in this loop) overwrites them, and dst has slack for the last.
                int s = aOff + p0 * lda + i;
                for (int p = 0, d = d0; p < kc; p++, d += MR, s += lda) {
                    FloatVector.fromArray(S, a, s).intoArray(dst, d);
                }
            } else if (transA && rows == MR) {
                // op(A)[i, p] = a[p*lda + i]: each k step copies one contiguous run of MR floats.
                int s = aOff + p0 * lda + i;
                for (int p = 0, d = d0; p < kc; p++, d += MR, s += lda) {
                    System.arraycopy(a, s, dst, d, MR);
                }
            } else if (transA) {
                int s = aOff + p0 * lda + i;
                for (int p = 0, d = d0; p < kc; p++, d += MR, s += lda) {
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a[s + r];
                    }
                    for (int r = rows; r < MR; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else if (rows == MR && MR == 4) {
                // op(A)[i, p] = a[i*lda + p]: interleave four row streams.
                int s0 = aOff + i * lda + p0;
                int s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda;
                for (int p = 0, d = d0; p < kc; p++, d += MR) {
                    dst[d] = a[s0 + p];
                    dst[d + 1] = a[s1 + p];
                    dst[d + 2] = a[s2 + p];
                    dst[d + 3] = a[s3 + p];
                }
            } else if (rows == MR) {
                // op(A)[i, p] = a[i*lda + p]: interleave six row streams.
                int s0 = aOff + i * lda + p0;
                int s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda;
                for (int p = 0, d = d0; p < kc; p++, d += MR) {
                    dst[d] = a[s0 + p];
                    dst[d + 1] = a[s1 + p];
                    dst[d + 2] = a[s2 + p];
                    dst[d + 3] = a[s3 + p];
                    dst[d + 4] = a[s4 + p];
                    dst[d + 5] = a[s5 + p];
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    int s = aOff + (i + r) * lda + p0;
                    for (int p = 0, d = d0 + r; p < kc; p++, d += MR) {
                        dst[d] = r < rows ? a[s + p] : 0f;
                    }
                }
            }
        }
    }

    /** Width of column panel jp of an nc-wide block: NR, except a last remainder <= VL gets VL. */
    static int panelWidth(int nc, int jp) {
        int rem = nc - jp * NR;
        return rem > VL ? NR : VL;
    }

    /** Number of column panels covering nc columns. */
    static int panelCount(int nc) {
        return (nc + NR - 1) / NR;
    }

    /**
     * Packs column panels [jpFrom, jpTo) of op(B)[0..k, j0 .. j0+nc] into dst: panel jp starts at
     * jp*NR*k, element (p, j) at p*w + j with w = panelWidth; columns beyond nc are zero.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int j0, int nc, int k,
                      int jpFrom, int jpTo, float[] dst) {
        for (int jp = jpFrom; jp < jpTo; jp++) {
            int w = panelWidth(nc, jp);
            int cols = Math.min(w, nc - jp * NR);
            int j = j0 + jp * NR;
            int d0 = jp * NR * k;
            if (transB) {
                // op(B)[p, j] = b[j*ldb + p]: read each column contiguously, scatter with stride w.
                for (int jj = 0; jj < w; jj++) {
                    if (jj < cols) {
                        int s = bOff + (j + jj) * ldb;
                        for (int p = 0, d = d0 + jj; p < k; p++, d += w) {
                            dst[d] = b[s + p];
                        }
                    } else {
                        for (int p = 0, d = d0 + jj; p < k; p++, d += w) {
                            dst[d] = 0f;
                        }
                    }
                }
            } else if (cols == NR) {
                int s = bOff + j;
                for (int p = 0, d = d0; p < k; p++, d += NR, s += ldb) {
                    FloatVector.fromArray(S, b, s).intoArray(dst, d);
                    FloatVector.fromArray(S, b, s + VL).intoArray(dst, d + VL);
                }
            } else {
                int s = bOff + j;
                for (int p = 0, d = d0; p < k; p++, d += w, s += ldb) {
                    for (int jj = 0; jj < cols; jj++) {
                        dst[d + jj] = b[s + jj];
                    }
                    for (int jj = cols; jj < w; jj++) {
                        dst[d + jj] = 0f;
                    }
                }
            }
        }
    }
}
