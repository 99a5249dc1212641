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
    /** Floats of scratch per group (cols plus the output-shaped buffer): ~16 MB. */
    static final int GROUP_FLOATS = Integer.getInteger("jgrad.conv.groupFloats", 1 << 22);

    private final CpuAllocator pool;

    CpuConvKernels(CpuAllocator pool) {
        this.pool = pool;
    }

    /** The images per group for this geometry. */
    static int groupSize(Conv2dGeometry g) {
        long cols = (long) g.inChannels() * Im2col.liveTaps(g).length * g.outH() * g.outW();
        if (cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("conv2d: " + g + " needs an im2col buffer of " + cols
                    + " floats per image, more than a Java array holds");
        }
        long perImage = cols + (long) g.outChannels() * g.outH() * g.outW();
        return (int) Math.max(1, Math.min(g.batch(), GROUP_FLOATS / perImage));
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
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < taps.length; t++) {
                live[r * taps.length + t] = w[r * kk + taps[t]];
            }
        }
        return live;
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
        int k = g.inChannels() * taps.length;
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] w = liveWeights(g, taps, CpuOps.data(ws));
        float[] cols = pool.take(k * group * plane);
        float[] out = group > 1 ? pool.take(oc * group * plane) : null;
        try {
            for (int b0 = 0; b0 < g.batch(); b0 += group) {
                int gn = Math.min(group, g.batch() - b0);
                int n = gn * plane;
                Im2col.im2col(g, taps, x, b0, gn, cols);
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
            }
        } finally {
            pool.release(cols);
            if (out != null) {
                pool.release(out);
            }
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
        int k = g.inChannels() * taps.length;
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] w = liveWeights(g, taps, CpuOps.data(ws));
        float[] dcols = pool.take(k * group * plane);
        float[] dyT = group > 1 ? pool.take(oc * group * plane) : null;
        try {
            for (int b0 = 0; b0 < g.batch(); b0 += group) {
                int gn = Math.min(group, g.batch() - b0);
                int n = gn * plane;
                // dcols = Wᵀ·dy, then col2im adds every column back onto the pixels it came from.
                if (gn == 1) {
                    Sgemm.sgemm(true, false, k, n, oc, 1f, w, 0, k, dy, b0 * oc * plane, n, 0f, dcols, 0, n);
                } else {
                    gatherFromNchw(dy, dyT, b0, gn, oc, plane);
                    Sgemm.sgemm(true, false, k, n, oc, 1f, w, 0, k, dyT, 0, n, 0f, dcols, 0, n);
                }
                Im2col.col2im(g, taps, dcols, b0, gn, dx, accumulate);
            }
        } finally {
            pool.release(dcols);
            if (dyT != null) {
                pool.release(dyT);
            }
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
        boolean allLive = taps.length == g.kernelH() * g.kernelW();
        int k = g.inChannels() * taps.length;
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        // With dead taps the GEMMs fill a [oc][C·T] buffer that is spread into dw at the end.
        float[] dwLive = allLive ? dw : pool.take(oc * k);
        boolean accumulateLive = allLive && accumulate;
        float[] cols = pool.take(k * group * plane);
        float[] dyT = group > 1 ? pool.take(oc * group * plane) : null;
        try {
            for (int b0 = 0; b0 < g.batch(); b0 += group) {
                int gn = Math.min(group, g.batch() - b0);
                int n = gn * plane;
                Im2col.im2col(g, taps, x, b0, gn, cols);
                // dW (= or +=) dy·colsᵀ; groups after the first add to what the earlier ones wrote.
                float beta = b0 == 0 && !accumulateLive ? 0f : 1f;
                if (gn == 1) {
                    Sgemm.sgemm(false, true, oc, k, n, 1f, dy, b0 * oc * plane, n, cols, 0, n, beta, dwLive, 0, k);
                } else {
                    gatherFromNchw(dy, dyT, b0, gn, oc, plane);
                    Sgemm.sgemm(false, true, oc, k, n, 1f, dyT, 0, n, cols, 0, n, beta, dwLive, 0, k);
                }
            }
            if (!allLive) {
                spreadLiveTaps(g, taps, dwLive, dw, accumulate);
            }
        } finally {
            pool.release(cols);
            if (dyT != null) {
                pool.release(dyT);
            }
            if (!allLive) {
                pool.release(dwLive);
            }
        }
        if (dbs != null) {
            biasGradient(dy, CpuOps.data(dbs), g.batch(), oc, plane, accumulate);
        }
    }

    /** dw (= or +=) the live-tap gradients; dead taps get 0 (or keep their value when accumulating). */
    private static void spreadLiveTaps(Conv2dGeometry g, int[] taps, float[] live, float[] dw, boolean accumulate) {
        int kk = g.kernelH() * g.kernelW();
        int rows = g.outChannels() * g.inChannels();
        for (int r = 0; r < rows; r++) {
            if (!accumulate) {
                java.util.Arrays.fill(dw, r * kk, (r + 1) * kk, 0f);
            }
            for (int t = 0; t < taps.length; t++) {
                dw[r * kk + taps[t]] += live[r * taps.length + t];
            }
        }
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
