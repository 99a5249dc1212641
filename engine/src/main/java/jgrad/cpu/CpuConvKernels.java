package jgrad.cpu;

import jgrad.device.Conv2dGeometry;
import jgrad.device.Storage;

/**
 * CPU reference for 2-D convolution, the book's way: im2col ({@link Im2col}) turns every
 * receptive field into a column, so forward and both backward passes are one SGEMM each. Kernel
 * taps that only ever read padding are left out of the columns and the GEMMs.
 *
 * <p>The batch is processed in groups of G images whose columns sit side by side: cols is
 * [C·kh·kw][G·outH·outW], so a group costs one large GEMM instead of G thin ones (deep ResNet
 * layers have planes of 1×1 to 7×7, where per-image GEMMs would be all overhead). G depends on the
 * geometry only, and SGEMM and the copies give the same bits for any thread count, so results do
 * not depend on how many threads run them. Scratch comes from the device pool (exact-size, so a
 * training step allocates nothing after the first).
 */
final class CpuConvKernels {
    /**
     * Target floats of im2col columns per group (1 MB): small enough that the columns (or, going
     * back, the column gradients) are still in L2 when the GEMM (or col2im) reads what im2col (or
     * the GEMM) just wrote. Whole-batch groups made those buffers 11 MB in ResNet-18's first stage,
     * and every one of their bytes went through memory twice.
     */
    static final int COLS_BUDGET = Integer.getInteger("jgrad.conv.colsBudget", 1 << 18);
    /**
     * Fewest GEMM columns per group (unless the batch has fewer): every group re-reads the weights,
     * so a group needs at least as many columns as the weights have rows (output channels), and
     * the GEMM needs enough columns to run at full speed.
     */
    static final int MIN_COLUMNS = Integer.getInteger("jgrad.conv.minColumns", 256);
    /** Cap on the floats of columns per group, whatever MIN_COLUMNS asks for (one image always fits). */
    static final int GROUP_FLOATS = 1 << 22;

    private final CpuAllocator pool;

    CpuConvKernels(CpuAllocator pool) {
        this.pool = pool;
    }

    /** The most images per group for this geometry; {@link #groupStart} spreads the batch evenly. */
    static int groupSize(Conv2dGeometry g) {
        int plane = g.outH() * g.outW();
        long colsPerImage = (long) g.inChannels() * Im2col.liveTaps(g).length * plane;
        if (colsPerImage > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("conv2d: " + g + " needs an im2col buffer of " + colsPerImage
                    + " floats per image, more than a Java array holds");
        }
        long minImages = (Math.max(MIN_COLUMNS, g.outChannels()) + plane - 1) / plane;
        long images = Math.max(minImages, COLS_BUDGET / colsPerImage);
        images = Math.max(1, Math.min(Math.min(images, GROUP_FLOATS / colsPerImage), g.batch()));
        // As many groups as that needs, as even as possible (no small last group).
        long groups = (g.batch() + images - 1) / images;
        return (int) ((g.batch() + groups - 1) / groups);
    }

    /** First image of group i when the batch is cut into groups of at most {@code group} images, evenly. */
    static int groupStart(int batch, int group, int i) {
        int groups = (batch + group - 1) / group;
        return (int) ((long) batch * i / groups);
    }

    static void need(Storage s, long n, String what, Conv2dGeometry g) {
        if (s.numel() < n) {
            throw new IllegalArgumentException("conv2d: " + what + " has " + s.numel() + " elements, " + g + " needs " + n);
        }
    }

    /**
     * The weights as the GEMMs see them, [oc][C·T] over the live taps: w itself when every tap is
     * live, else a pooled copy of the live columns (release with {@link #releaseIfCopy}).
     */
    private float[] liveWeights(Conv2dGeometry g, int[] taps, float[] w) {
        int kk = g.kernelH() * g.kernelW();
        if (taps.length == kk) {
            return w;
        }
        int rows = g.outChannels() * g.inChannels();
        float[] live = pool.take(rows * taps.length);
        // Reads all of w (its live taps share cache lines with the dead ones): worth two cores.
        Im2col.forTasks(rows, kk, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int t = 0; t < taps.length; t++) {
                    live[r * taps.length + t] = w[r * kk + taps[t]];
                }
            }
        });
        return live;
    }

    /** Group i's work: images [b0, b0 + gn), with the scratch buffers of the thread running it. */
    private interface GroupBody {
        void run(int i, int b0, int gn, float[] scratch, float[] moreScratch);
    }

    /**
     * Runs body for every group, with scratch of the given sizes (the second may be 0: null). With
     * several threads and at least two groups per thread, whole groups go to the threads, each with
     * its own scratch: one dispatch per call, where splitting each group's copies and GEMM made
     * several per group, and every one ended with a thread waiting for the other. Otherwise the
     * groups run in order and the work inside each is split.
     */
    private void forGroups(int batch, int group, int scratchFloats, int moreFloats, GroupBody body) {
        int groups = (batch + group - 1) / group;
        int threads = Parallel.threads();
        if (threads > 1 && groups >= 2 * threads) {
            Parallel.forChunks(groups, groups, (from, to) -> runGroups(batch, group, from, to, scratchFloats,
                    moreFloats, body));
        } else {
            runGroups(batch, group, 0, groups, scratchFloats, moreFloats, body);
        }
    }

    private void runGroups(int batch, int group, int from, int to, int scratchFloats, int moreFloats,
                           GroupBody body) {
        float[] scratch = pool.take(scratchFloats);
        float[] more = moreFloats > 0 ? pool.take(moreFloats) : null;
        try {
            for (int i = from; i < to; i++) {
                int b0 = groupStart(batch, group, i);
                body.run(i, b0, groupStart(batch, group, i + 1) - b0, scratch, more);
            }
        } finally {
            pool.release(scratch);
            releaseIfTaken(more);
        }
    }

    /** The tap masks of {@link SamePlaneCols} when it applies (release with {@link #releaseIfTaken}), else null. */
    private float[] masks(Conv2dGeometry g, int[] taps) {
        if (!SamePlaneCols.applies(g)) {
            return null;
        }
        float[] masks = pool.take(SamePlaneCols.masksLength(g, taps));
        SamePlaneCols.fillMasks(g, taps, masks);
        return masks;
    }

    private void releaseIfTaken(float[] scratch) {
        if (scratch != null) {
            pool.release(scratch);
        }
    }

    private static void im2col(Conv2dGeometry g, int[] taps, float[] masks, float[] x, int b0, int gn, float[] cols) {
        if (masks != null) {
            SamePlaneCols.im2col(g, taps, masks, x, b0, gn, cols);
        } else {
            Im2col.im2col(g, taps, x, b0, gn, cols);
        }
    }

    private void releaseIfCopy(float[] live, float[] w) {
        if (live != w) {
            pool.release(live);
        }
    }

    void forward(Conv2dGeometry g, Storage xs, Storage ws, Storage bs, Storage ys) {
        forward(g, xs, ws, bs, ys, groupSize(g));
    }

    /** Forward with an explicit group size (tests use it to cover partial groups). */
    void forward(Conv2dGeometry g, Storage xs, Storage ws, Storage bs, Storage ys, int group) {
        need(xs, g.inputNumel(), "x", g);
        need(ws, g.weightNumel(), "weight", g);
        need(ys, g.outputNumel(), "y", g);
        if (bs != null) {
            need(bs, g.outChannels(), "bias", g);
        }
        float[] x = CpuOps.data(xs);
        float[] bias = bs == null ? null : CpuOps.data(bs);
        float[] y = CpuOps.data(ys);
        int[] taps = Im2col.liveTaps(g);
        float[] masks = masks(g, taps);
        int k = g.inChannels() * taps.length;
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] w = liveWeights(g, taps, CpuOps.data(ws));
        try {
            int scratch = group > 1 ? oc * group * plane : 0;
            forGroups(g.batch(), group, k * group * plane, scratch, (i, b0, gn, cols, out) -> {
                int n = gn * plane;
                im2col(g, taps, masks, x, b0, gn, cols);
                if (gn == 1) {
                    // One image: y[b0] is already the [oc][plane] matrix the GEMM produces.
                    int yOff = b0 * oc * plane;
                    Sgemm.sgemm(false, false, oc, n, k, 1f, w, 0, k, cols, 0, n, 0f, y, yOff, n);
                    if (bias != null) {
                        addBias(y, yOff, bias, oc, plane);
                    }
                } else {
                    Sgemm.sgemm(false, false, oc, n, k, 1f, w, 0, k, cols, 0, n, 0f, out, 0, n);
                    scatterToNchw(out, y, b0, gn, oc, plane, bias);
                }
            });
        } finally {
            releaseIfTaken(masks);
            releaseIfCopy(w, CpuOps.data(ws));
        }
    }

    void backwardData(Conv2dGeometry g, Storage dys, Storage ws, Storage dxs, boolean accumulate) {
        backwardData(g, dys, ws, dxs, accumulate, groupSize(g));
    }

    void backwardData(Conv2dGeometry g, Storage dys, Storage ws, Storage dxs, boolean accumulate, int group) {
        need(dys, g.outputNumel(), "dy", g);
        need(ws, g.weightNumel(), "weight", g);
        need(dxs, g.inputNumel(), "dx", g);
        float[] dy = CpuOps.data(dys);
        float[] dx = CpuOps.data(dxs);
        int[] taps = Im2col.liveTaps(g);
        float[] masks = masks(g, taps);
        int k = g.inChannels() * taps.length;
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] w = liveWeights(g, taps, CpuOps.data(ws));
        try {
            int scratch = group > 1 ? oc * group * plane : 0;
            forGroups(g.batch(), group, k * group * plane, scratch, (i, b0, gn, dcols, dyT) -> {
                int n = gn * plane;
                // dcols = Wᵀ·dy, then col2im adds every column back onto the pixels it came from.
                if (gn == 1) {
                    Sgemm.sgemm(true, false, k, n, oc, 1f, w, 0, k, dy, b0 * oc * plane, n, 0f, dcols, 0, n);
                } else {
                    gatherFromNchw(dy, dyT, b0, gn, oc, plane);
                    Sgemm.sgemm(true, false, k, n, oc, 1f, w, 0, k, dyT, 0, n, 0f, dcols, 0, n);
                }
                if (masks != null) {
                    SamePlaneCols.col2im(g, taps, masks, dcols, b0, gn, dx, accumulate);
                } else {
                    Im2col.col2im(g, taps, dcols, b0, gn, dx, accumulate);
                }
            });
        } finally {
            releaseIfTaken(masks);
            releaseIfCopy(w, CpuOps.data(ws));
        }
    }

    void backwardFilter(Conv2dGeometry g, Storage xs, Storage dys, Storage dws, Storage dbs, boolean accumulate) {
        backwardFilter(g, xs, dys, dws, dbs, accumulate, groupSize(g));
    }

    void backwardFilter(Conv2dGeometry g, Storage xs, Storage dys, Storage dws, Storage dbs, boolean accumulate,
                        int group) {
        need(xs, g.inputNumel(), "x", g);
        need(dys, g.outputNumel(), "dy", g);
        need(dws, g.weightNumel(), "dweight", g);
        if (dbs != null) {
            need(dbs, g.outChannels(), "dbias", g);
        }
        float[] x = CpuOps.data(xs);
        float[] dy = CpuOps.data(dys);
        float[] dw = CpuOps.data(dws);
        int[] taps = Im2col.liveTaps(g);
        float[] masks = masks(g, taps);
        int k = g.inChannels() * taps.length;
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        // The GEMMs compute dWᵀ = cols·dyᵀ, [C·T][oc]: the columns are the GEMM's A, read in place,
        // and only dy (T times smaller) is packed; packing cols as a transposed B was a scalar
        // scatter of every column entry. Each group writes its own dWᵀ, and the groups' are summed
        // in group order while being spread into dw's [oc][C][kh·kw]: the same sums whichever
        // thread ran which group.
        int groups = (g.batch() + group - 1) / group;
        float[] partials = pool.take(groups * k * oc);
        try {
            int scratch = group > 1 ? oc * group * plane : 0;
            forGroups(g.batch(), group, k * group * plane, scratch, (i, b0, gn, cols, dyT) -> {
                int n = gn * plane;
                int part = i * k * oc;
                im2col(g, taps, masks, x, b0, gn, cols);
                if (gn == 1) {
                    Sgemm.sgemm(false, true, k, oc, n, 1f, cols, 0, n, dy, b0 * oc * plane, n, 0f, partials, part, oc);
                } else {
                    gatherFromNchw(dy, dyT, b0, gn, oc, plane);
                    Sgemm.sgemm(false, true, k, oc, n, 1f, cols, 0, n, dyT, 0, n, 0f, partials, part, oc);
                }
            });
            spreadTransposed(g, taps, partials, groups, dw, accumulate);
        } finally {
            releaseIfTaken(masks);
            pool.release(partials);
        }
        if (dbs != null) {
            biasGradient(dy, CpuOps.data(dbs), g.batch(), oc, plane, accumulate);
        }
    }

    /**
     * dw[o][c][tap_t] (= or +=) Σ_groups dwT[c·T + t][o], the groups' dWᵀ (each k·oc floats, one
     * after another) added in group order; dead taps get 0 (or keep their value when accumulating).
     * One task per block of output channels writes its own rows of dw.
     */
    private static void spreadTransposed(Conv2dGeometry g, int[] taps, float[] dwT, int groups, float[] dw,
                                         boolean accumulate) {
        int kk = g.kernelH() * g.kernelW();
        int channels = g.inChannels();
        int oc = g.outChannels();
        int tapCount = taps.length;
        int part = channels * tapCount * oc;
        // The groups' sums into the first: a pass over contiguous arrays (vectorised by C2).
        if (groups > 1) {
            Im2col.forTasks(part, groups, (from, to) -> {
                for (int i = 1; i < groups; i++) {
                    int p = i * part;
                    for (int e = from; e < to; e++) {
                        dwT[e] += dwT[p + e];
                    }
                }
            });
        }
        // Blocks of 16 output channels: each dwT line read is used whole, while 16 rows of dw fill.
        int block = 16;
        Im2col.forTasks((oc + block - 1) / block, block * channels * kk, (from, to) -> {
            for (int ob = from; ob < to; ob++) {
                int oEnd = Math.min(oc, (ob + 1) * block);
                if (!accumulate && tapCount < kk) {
                    // Dead taps are zero: each output channel's whole row at once (one vectorised
                    // fill, where per-(o, c) loops of kh·kw floats cost 4x more), live taps after.
                    java.util.Arrays.fill(dw, ob * block * channels * kk, oEnd * channels * kk, 0f);
                }
                for (int c = 0; c < channels; c++) {
                    for (int o = ob * block; o < oEnd; o++) {
                        int row = (o * channels + c) * kk;
                        for (int t = 0; t < tapCount; t++) {
                            float v = dwT[(c * tapCount + t) * oc + o];
                            dw[row + taps[t]] = accumulate ? dw[row + taps[t]] + v : v;
                        }
                    }
                }
            }
        });
    }

    /** dbias[o] (= or +=) Σ over images and plane of dy, summed in double in a fixed order. */
    private static void biasGradient(float[] dy, float[] dbias, int batch, int oc, int plane, boolean accumulate) {
        for (int o = 0; o < oc; o++) {
            double s = 0;
            for (int b = 0; b < batch; b++) {
                int base = (b * oc + o) * plane;
                for (int p = 0; p < plane; p++) {
                    s += dy[base + p];
                }
            }
            dbias[o] = (float) (accumulate ? dbias[o] + s : s);
        }
    }

    private static void addBias(float[] y, int off, float[] bias, int oc, int plane) {
        for (int o = 0; o < oc; o++) {
            float b = bias[o];
            int base = off + o * plane;
            for (int p = 0; p < plane; p++) {
                y[base + p] += b;
            }
        }
    }

    /** y[b0+bl][o][p] = out[o][bl·plane + p] (+ bias[o]). */
    private static void scatterToNchw(float[] out, float[] y, int b0, int gn, int oc, int plane, float[] bias) {
        int n = gn * plane;
        Im2col.forTasks(gn * oc, plane, (from, to) -> {
            for (int t = from; t < to; t++) {
                int bl = t / oc;
                int o = t % oc;
                int src = o * n + bl * plane;
                int dst = ((b0 + bl) * oc + o) * plane;
                if (bias == null) {
                    System.arraycopy(out, src, y, dst, plane);
                } else {
                    float b = bias[o];
                    for (int p = 0; p < plane; p++) {
                        y[dst + p] = out[src + p] + b;
                    }
                }
            }
        });
    }

    /** dyT[o][bl·plane + p] = dy[b0+bl][o][p]. */
    private static void gatherFromNchw(float[] dy, float[] dyT, int b0, int gn, int oc, int plane) {
        int n = gn * plane;
        Im2col.forTasks(gn * oc, plane, (from, to) -> {
            for (int t = from; t < to; t++) {
                int bl = t / oc;
                int o = t % oc;
                System.arraycopy(dy, ((b0 + bl) * oc + o) * plane, dyT, o * n + bl * plane, plane);
            }
        });
    }
}
