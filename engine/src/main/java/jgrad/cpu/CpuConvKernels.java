package jgrad.cpu;

import jgrad.device.Conv2dGeometry;
import jgrad.device.Storage;

/**
 * CPU reference for 2-D convolution, the book's way: im2col turns every receptive field into a
 * column, so forward and both backward passes are one SGEMM each.
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
    /** Below this many floats a copy loop stays on the calling thread. */
    private static final int PARALLEL_MIN = 1 << 14;

    private final CpuAllocator pool;

    CpuConvKernels(CpuAllocator pool) {
        this.pool = pool;
    }

    /** The images per group for this geometry. */
    static int groupSize(Conv2dGeometry g) {
        long cols = (long) g.inChannels() * g.kernelH() * g.kernelW() * g.outH() * g.outW();
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
        float[] w = CpuOps.data(ws);
        float[] bias = bs == null ? null : CpuOps.data(bs);
        float[] y = CpuOps.data(ys);
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] cols = pool.take(k * group * plane);
        float[] out = group > 1 ? pool.take(oc * group * plane) : null;
        try {
            for (int b0 = 0; b0 < g.batch(); b0 += group) {
                int gn = Math.min(group, g.batch() - b0);
                int n = gn * plane;
                im2col(g, x, b0, gn, cols);
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
        float[] w = CpuOps.data(ws);
        float[] dx = CpuOps.data(dxs);
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
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
                col2im(g, dcols, b0, gn, dx, accumulate);
            }
        } finally {
            pool.release(dcols);
            if (dyT != null) {
                pool.release(dyT);
            }
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
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        int oc = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] cols = pool.take(k * group * plane);
        float[] dyT = group > 1 ? pool.take(oc * group * plane) : null;
        try {
            for (int b0 = 0; b0 < g.batch(); b0 += group) {
                int gn = Math.min(group, g.batch() - b0);
                int n = gn * plane;
                im2col(g, x, b0, gn, cols);
                // dW (= or +=) dy·colsᵀ; groups after the first add to what the earlier ones wrote.
                float beta = b0 == 0 && !accumulate ? 0f : 1f;
                if (gn == 1) {
                    Sgemm.sgemm(false, true, oc, k, n, 1f, dy, b0 * oc * plane, n, cols, 0, n, beta, dw, 0, k);
                } else {
                    gatherFromNchw(dy, dyT, b0, gn, oc, plane);
                    Sgemm.sgemm(false, true, oc, k, n, 1f, dyT, 0, n, cols, 0, n, beta, dw, 0, k);
                }
            }
        } finally {
            pool.release(cols);
            if (dyT != null) {
                pool.release(dyT);
            }
        }
        if (dbs != null) {
            biasGradient(dy, CpuOps.data(dbs), g.batch(), oc, plane, accumulate);
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

    /** Splits [0,n) over threads when each task has enough floats to move. */
    private static void forTasks(int n, int floatsPerTask, Parallel.Body body) {
        Parallel.forRange(n, Math.max(1, PARALLEL_MIN / Math.max(1, floatsPerTask)), body);
    }

    /**
     * cols[(c·kh + i)·kw + j][bl·plane + oh·outW + ow] = x[b0+bl][c][oh·sh − ph + i][ow·sw − pw + j],
     * zero where that lands in the padding.
     */
    static void im2col(Conv2dGeometry g, float[] x, int b0, int gn, float[] cols) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int rows = g.inChannels() * kh * kw;
        int oh = g.outH();
        int ow = g.outW();
        int n = gn * oh * ow;
        int sw = g.strideW();
        forTasks(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int c = r / (kh * kw);
                int i = r / kw % kh;
                int j = r % kw;
                // Output rows [yFrom, yTo) and columns [qFrom, qTo) read real pixels; the rest is padding.
                int yFrom = Math.min(oh, firstInside(i, g.padH(), g.strideH()));
                int yTo = Math.max(yFrom, lastInside(i, g.padH(), g.strideH(), g.height(), oh));
                int qFrom = Math.min(ow, firstInside(j, g.padW(), sw));
                int qTo = Math.max(qFrom, lastInside(j, g.padW(), sw, g.width(), ow));
                for (int bl = 0; bl < gn; bl++) {
                    int src = ((b0 + bl) * g.inChannels() + c) * g.height() * g.width();
                    int dst = r * n + bl * oh * ow;
                    // Small planes make many short rows, so short runs use plain loops, not library calls.
                    zero(cols, dst, dst + yFrom * ow);
                    for (int y = yFrom; y < yTo; y++) {
                        int d = dst + y * ow;
                        int rowStart = src + (y * g.strideH() - g.padH() + i) * g.width() - g.padW() + j;
                        zero(cols, d, d + qFrom);
                        if (sw == 1 && qTo - qFrom >= 64) {
                            System.arraycopy(x, rowStart + qFrom, cols, d + qFrom, qTo - qFrom);
                        } else if (sw == 1) {
                            for (int q = qFrom; q < qTo; q++) {
                                cols[d + q] = x[rowStart + q];
                            }
                        } else {
                            for (int q = qFrom; q < qTo; q++) {
                                cols[d + q] = x[rowStart + q * sw];
                            }
                        }
                        zero(cols, d + qTo, d + ow);
                    }
                    zero(cols, dst + yTo * ow, dst + oh * ow);
                }
            }
        });
    }

    private static void zero(float[] a, int from, int to) {
        if (to - from >= 64) {
            java.util.Arrays.fill(a, from, to, 0f);
        } else {
            for (int k = from; k < to; k++) {
                a[k] = 0f;
            }
        }
    }

    /**
     * dx[b0+bl][c] (= or +=) the sum of every column entry that im2col copied from it. One task per
     * (image, channel) plane, adding in the fixed (i, j, oh, ow) order: no races, same bits on any
     * thread count.
     */
    static void col2im(Conv2dGeometry g, float[] dcols, int b0, int gn, float[] dx, boolean accumulate) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int channels = g.inChannels();
        int oh = g.outH();
        int ow = g.outW();
        int n = gn * oh * ow;
        int planeIn = g.height() * g.width();
        forTasks(gn * channels, kh * kw * oh * ow, (from, to) -> {
            for (int t = from; t < to; t++) {
                int bl = t / channels;
                int c = t % channels;
                int dst = ((b0 + bl) * channels + c) * planeIn;
                if (!accumulate) {
                    zero(dx, dst, dst + planeIn);
                }
                int sw = g.strideW();
                for (int i = 0; i < kh; i++) {
                    int yFrom = Math.min(oh, firstInside(i, g.padH(), g.strideH()));
                    int yTo = Math.max(yFrom, lastInside(i, g.padH(), g.strideH(), g.height(), oh));
                    for (int j = 0; j < kw; j++) {
                        int r = (c * kh + i) * kw + j;
                        int qFrom = Math.min(ow, firstInside(j, g.padW(), sw));
                        int qTo = Math.max(qFrom, lastInside(j, g.padW(), sw, g.width(), ow));
                        int src = r * n + bl * oh * ow;
                        for (int y = yFrom; y < yTo; y++) {
                            int rowStart = dst + (y * g.strideH() - g.padH() + i) * g.width() - g.padW() + j;
                            int s = src + y * ow;
                            for (int q = qFrom; q < qTo; q++) {
                                dx[rowStart + q * sw] += dcols[s + q];
                            }
                        }
                    }
                }
            }
        });
    }

    /** First output column whose input column ow·stride − pad + j is ≥ 0. */
    private static int firstInside(int j, int pad, int stride) {
        int need = pad - j; // ow·stride ≥ pad − j
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output column whose input column ow·stride − pad + j is &lt; width. */
    private static int lastInside(int j, int pad, int stride, int width, int outW) {
        int limit = width - 1 + pad - j; // ow·stride ≤ limit
        return limit < 0 ? 0 : Math.min(outW, limit / stride + 1);
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
        forTasks(gn * oc, plane, (from, to) -> {
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
        forTasks(gn * oc, plane, (from, to) -> {
            for (int t = from; t < to; t++) {
                int bl = t / oc;
                int o = t % oc;
                System.arraycopy(dy, ((b0 + bl) * oc + o) * plane, dyT, o * n + bl * plane, plane);
            }
        });
    }
}
