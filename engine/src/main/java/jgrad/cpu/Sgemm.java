package jgrad.cpu;

import static jgrad.cpu.SgemmKernels.MR;
import static jgrad.cpu.SgemmKernels.NR;

/**
 * Single-precision GEMM on row-major float arrays (BLAS semantics, row strides as leading dims).
 *
 * <p>Structure (Goto/BLIS style): for each NC-wide column block, op(B) is packed once for all k
 * into NR-wide micro-panels (shared, packed in parallel); then the MR-row panels of C are split
 * among threads, and each thread walks its rows in MC blocks and k in KC blocks, packing its A
 * block (L2-resident) and running the micro-kernel against every B micro-panel.
 *
 * <p>Determinism: the tile grid is anchored at (0,0) and threads only ever split along whole
 * tiles; KC depends on k alone. So each C element sees the same operations in the same order
 * whatever the thread count.
 */
public final class Sgemm {

    /** k-block length target; actual KC balances k into equal blocks of at most this. */
    static final int KC_MAX = intProp("jgrad.sgemm.kc", 320);
    /** Rows of A packed per block (multiple of MR); ~MC*KC*4 bytes should sit in L2. */
    static final int MC = roundUp(intProp("jgrad.sgemm.mc", 96), MR);
    /** Column-block width (multiple of NR); the packed B block is k*NC floats. */
    static final int NC_MAX = roundUp(intProp("jgrad.sgemm.nc", 4096), NR);
    /** Cap on the shared packed-B buffer (floats); NC shrinks for very large k. */
    private static final int B_PACK_LIMIT = 4 << 20;
    /** Below this many flops a problem runs on the calling thread (dispatch would dominate). */
    static final double PARALLEL_MIN_FLOPS = intProp("jgrad.sgemm.parmin", 1_000_000);
    private static final boolean LOOP_JP_OUTER = intProp("jgrad.sgemm.jpouter", 1) != 0;
    /**
     * Non-transposed A is read in place (not packed) when it has at most this many elements. Not
     * at 8 lanes: x86 has 16 vector registers there (32 with AVX-512), and C2's code for the
     * in-place kernel, with its six row streams, ran at 45 GFLOP/s per core against the packed
     * kernel's 107 (AVX2 on an AMD EPYC; at 16 lanes both run at ~210).
     */
    static final long DIRECT_A_MAX = intProp("jgrad.sgemm.directmax", SgemmKernels.VL >= 16 ? 1 << 20 : 0);

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Workspace {
        float[] aPack = new float[0];
        float[] bPack = new float[0];
        final float[] tmp = new float[MR * NR];
        /** Accumulators of a 4 x 4 block of dot products (SgemmTails). */
        final float[] tailTmp = new float[SgemmTails.G * SgemmTails.G * SgemmKernels.VL];
        float[] tailPack = new float[0];

        float[] tailPack(int size) {
            if (tailPack.length < size) {
                tailPack = new float[size];
            }
            return tailPack;
        }

        float[] aPack(int size) {
            if (aPack.length < size) {
                aPack = new float[size];
            }
            return aPack;
        }

        float[] bPack(int size) {
            if (bPack.length < size) {
                bPack = new float[size];
            }
            return bPack;
        }
    }

    private Sgemm() {
    }

    /**
     * C[m×n] = alpha·op(A)·op(B) + beta·C, op(X) = X or Xᵀ. Row-major; lda/ldb/ldc are row
     * strides. beta == 0 means C is overwritten (NaNs in C ignored). alpha == 0 or k == 0 means
     * C = beta·C without reading A or B.
     *
     * @throws IllegalArgumentException on negative sizes, too-small leading dimensions, negative
     *     offsets, null arrays, or arrays too short for the given offsets and strides
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        validate(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        int kc = chooseKc(k);
        // A narrow remainder of columns (n mod NR) goes to SgemmTails instead of a padded panel.
        int tail = n % NR;
        if (n <= NR || !SgemmTails.applies(transA, tail, k)) {
            tail = 0;
        }
        int nMain = n - tail;
        int nc = Math.min(NC_MAX, Math.max(NR, B_PACK_LIMIT / k / NR * NR));
        boolean parallel = Parallel.threads() > 1 && 2.0 * m * n * k >= PARALLEL_MIN_FLOPS;
        Workspace ws = WORKSPACE.get();
        float[] bPack = ws.bPack(SgemmKernels.panelCount(Math.min(nc, nMain)) * NR * k);
        float[] tailPack = null;
        if (tail > 0) {
            tailPack = ws.tailPack(SgemmTails.packedSize(tail, k));
            SgemmTails.packB(transA, transB, b, bOff, ldb, nMain, tail, k, tailPack);
        }
        int mPanels = (m + MR - 1) / MR;
        for (int jc = 0; jc < nMain; jc += nc) {
            int ncur = Math.min(nc, nMain - jc);
            int nPanels = SgemmKernels.panelCount(ncur);
            int j0 = jc;
            if (parallel && nPanels > 1) {
                Parallel.forRange(nPanels, 1, (from, to) ->
                        SgemmKernels.packB(transB, b, bOff, ldb, j0, ncur, k, from, to, bPack));
            } else {
                SgemmKernels.packB(transB, b, bOff, ldb, j0, ncur, k, 0, nPanels, bPack);
            }
            boolean last = jc + ncur == nMain;
            Block blk = new Block(transA, m, n, k, kc, alpha, a, aOff, lda, bPack, j0, ncur, beta, c, cOff, ldc,
                    last ? tail : 0, tailPack);
            if (!parallel) {
                blk.compute(0, m, 0, nPanels);
            } else if (mPanels >= Parallel.threads() || mPanels >= nPanels) {
                // Split rows (whole MR panels): threads share the packed B and pack their own A.
                Parallel.forRange(mPanels, 1, (from, to) ->
                        blk.compute(from * MR, Math.min(to * MR, m), 0, nPanels));
            } else {
                // Few rows, many columns: split the column panels instead.
                Parallel.forRange(nPanels, 1, (from, to) -> blk.compute(0, m, from, to));
            }
        }
    }

    /** One column block's worth of arguments, so the parallel bodies capture a single object. */
    private record Block(boolean transA, int m, int n, int k, int kc, float alpha,
                         float[] a, int aOff, int lda, float[] bPack, int j0, int nc,
                         float beta, float[] c, int cOff, int ldc, int tailCols, float[] tailPack) {

        /** C rows [rowFrom,rowTo) x column panels [jpFrom,jpTo) of this block; rowFrom % MR == 0. */
        void compute(int rowFrom, int rowTo, int jpFrom, int jpTo) {
            Workspace ws = WORKSPACE.get();
            float[] aPack = ws.aPack(MC * kc + SgemmKernels.PACK_SLACK);
            float[] tmp = ws.tmp;
            // Small non-transposed A stays in place (6-row tiles only): its rows are contiguous in
            // k, so the kernel reads six sequential streams; only a partial last row panel is
            // packed (zero rows).
            boolean direct = MR == 6 && !transA && (long) m * k <= DIRECT_A_MAX;
            for (int ic = rowFrom; ic < rowTo; ic += MC) {
                int mc = Math.min(MC, rowTo - ic);
                int ipCount = (mc + MR - 1) / MR;
                int fullRows = mc / MR * MR;
                for (int pc = 0; pc < k; pc += kc) {
                    int kcur = Math.min(kc, k - pc);
                    if (!direct) {
                        SgemmKernels.packA(transA, a, aOff, lda, ic, mc, pc, kcur, aPack);
                    } else if (fullRows < mc) {
                        // The partial panel keeps its usual place, ip = fullRows / MR.
                        SgemmKernels.packA(false, a, aOff, lda, ic + fullRows, mc - fullRows, pc, kcur, aPack,
                                fullRows * kcur);
                    }
                    // beta applies once, on the first k block; later blocks accumulate into C.
                    float betaEff = pc == 0 ? beta : 1f;
                    if (LOOP_JP_OUTER) {
                        for (int jp = jpFrom; jp < jpTo; jp++) {
                            for (int ip = 0; ip < ipCount; ip++) {
                                tile(ip, jp, ic, mc, pc, kcur, aPack, betaEff, tmp, direct);
                            }
                        }
                    } else {
                        for (int ip = 0; ip < ipCount; ip++) {
                            for (int jp = jpFrom; jp < jpTo; jp++) {
                                tile(ip, jp, ic, mc, pc, kcur, aPack, betaEff, tmp, direct);
                            }
                        }
                    }
                }
            }
            // The tail columns, after this block's last panel, for the same rows.
            if (tailCols > 0 && jpTo == SgemmKernels.panelCount(nc)) {
                SgemmTails.compute(transA, rowFrom, rowTo, tailCols, k, kc, alpha, a, aOff, lda, tailPack, beta,
                        c, cOff + j0 + nc, ldc, ws.tailTmp);
            }
        }

        private void tile(int ip, int jp, int ic, int mc, int pc, int kcur, float[] aPack,
                          float betaEff, float[] tmp, boolean direct) {
            int w = SgemmKernels.panelWidth(nc, jp);
            int cols = Math.min(w, nc - jp * NR);
            int rows = Math.min(MR, mc - ip * MR);
            int bo = jp * NR * k + pc * w;
            int ao = ip * MR * kcur;
            int co = cOff + (ic + ip * MR) * ldc + j0 + jp * NR;
            if (direct && rows == MR) {
                int a0 = aOff + (ic + ip * MR) * lda + pc;
                if (w == NR) {
                    SgemmKernels.kernel6x2Direct(kcur, a, a0, lda, bPack, bo, tmp);
                } else {
                    SgemmKernels.kernel6x1Direct(kcur, a, a0, lda, bPack, bo, tmp);
                }
            } else if (MR == 4) {
                if (w == NR) {
                    SgemmKernels.kernel4x2(kcur, aPack, ao, bPack, bo, tmp);
                } else {
                    SgemmKernels.kernel4x1(kcur, aPack, ao, bPack, bo, tmp);
                }
            } else if (w == NR) {
                SgemmKernels.kernel6x2(kcur, aPack, ao, bPack, bo, tmp);
            } else {
                SgemmKernels.kernel6x1(kcur, aPack, ao, bPack, bo, tmp);
            }
            SgemmKernels.storeTile(tmp, w, c, co, ldc, rows, cols, alpha, betaEff);
        }
    }

    /** Equal k blocks of at most KC_MAX; depends on k only (determinism). */
    static int chooseKc(int k) {
        int blocks = (k + KC_MAX - 1) / KC_MAX;
        return (k + blocks - 1) / blocks;
    }

    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int o = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, o, o + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[o + j] *= beta;
                }
            }
        }
    }

    private static void validate(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(
                    "sgemm: sizes must be non-negative, got m=" + m + ", n=" + n + ", k=" + k);
        }
        // Stored shapes: A is m×k (k×m if transposed), B is k×n (n×k if transposed), C is m×n.
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (x == null) {
            throw new IllegalArgumentException("sgemm: array " + name + " is null");
        }
        if (off < 0) {
            throw new IllegalArgumentException("sgemm: offset of " + name + " is negative: " + off);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld
                    + " but must be >= max(1, " + cols + ") for a stored " + rows + "x" + cols + " matrix");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = (long) off + (long) (rows - 1) * ld + cols;
        if (end > x.length) {
            throw new IllegalArgumentException("sgemm: array " + name + " too short: stored " + rows + "x"
                    + cols + " matrix at offset " + off + " with leading dimension " + ld
                    + " needs " + end + " elements, array has " + x.length);
        }
        if (end > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sgemm: " + name + " index range overflows int");
        }
    }

    private static int roundUp(int x, int multiple) {
        return Math.max(multiple, (x + multiple - 1) / multiple * multiple);
    }

    private static int intProp(String name, int def) {
        return Integer.getInteger(name, def);
    }
}
