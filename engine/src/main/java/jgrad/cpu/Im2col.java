package jgrad.cpu;

import jgrad.device.Conv2dGeometry;

/**
 * The book's im2col and col2im over a group of images, restricted to the kernel taps that touch
 * real pixels somewhere: with 3×3 kernels and padding 1 on a 1×1 plane (ResNet-18's last stage on
 * MNIST) 8 of the 9 taps only ever see padding, and dropping their all-zero rows cuts the GEMMs
 * ninefold. Row r of cols is (channel r / taps, tap taps[r % taps]); column bl·plane + y·outW + q
 * is output pixel (y, q) of image b0 + bl.
 */
final class Im2col {
    /** Below this many floats a copy loop stays on the calling thread. */
    private static final int PARALLEL_MIN = 1 << 14;

    private Im2col() {}

    /** Kernel taps i·kw + j that read a real pixel for at least one output position, ascending. */
    static int[] liveTaps(Conv2dGeometry g) {
        int[] taps = new int[g.kernelH() * g.kernelW()];
        int count = 0;
        for (int i = 0; i < g.kernelH(); i++) {
            boolean rowLive = firstInside(i, g.padH(), g.strideH()) < lastInside(i, g.padH(), g.strideH(), g.height(),
                    g.outH());
            for (int j = 0; j < g.kernelW(); j++) {
                if (rowLive && firstInside(j, g.padW(), g.strideW()) < lastInside(j, g.padW(), g.strideW(), g.width(),
                        g.outW())) {
                    taps[count++] = i * g.kernelW() + j;
                }
            }
        }
        return java.util.Arrays.copyOf(taps, count);
    }

    /** Splits [0,n) over threads when each task has enough floats to move. */
    static void forTasks(int n, int floatsPerTask, Parallel.Body body) {
        Parallel.forRange(n, Math.max(1, PARALLEL_MIN / Math.max(1, floatsPerTask)), body);
    }

    /**
     * cols[c·T + t][bl·plane + y·outW + q] = x[b0+bl][c][y·sh − ph + i][q·sw − pw + j] for tap
     * t = (i, j), zero where that lands in the padding.
     */
    static void im2col(Conv2dGeometry g, int[] taps, float[] x, int b0, int gn, float[] cols) {
        int kw = g.kernelW();
        int tapCount = taps.length;
        int rows = g.inChannels() * tapCount;
        int oh = g.outH();
        int ow = g.outW();
        int n = gn * oh * ow;
        int sw = g.strideW();
        boolean sameRowLength = sw == 1 && g.strideH() == 1 && ow == g.width();
        forTasks(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int c = r / tapCount;
                int i = taps[r % tapCount] / kw;
                int j = taps[r % tapCount] % kw;
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
                    if (sameRowLength && yFrom < yTo && qFrom < qTo) {
                        // Stride 1 and output rows as long as input rows: the in-bounds part is the
                        // input plane shifted by (i − ph, j − pw), one contiguous copy; the entries
                        // that wrapped around a row edge are then overwritten with the padding zeros.
                        int first = dst + yFrom * ow + qFrom;
                        int last = dst + (yTo - 1) * ow + qTo;
                        int read = src + (yFrom - g.padH() + i) * g.width() - g.padW() + j + qFrom;
                        System.arraycopy(x, read, cols, first, last - first);
                        for (int y = yFrom; y < yTo; y++) {
                            int d = dst + y * ow;
                            zero(cols, d, d + qFrom);
                            zero(cols, d + qTo, d + ow);
                        }
                    } else {
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
                    }
                    zero(cols, dst + yTo * ow, dst + oh * ow);
                }
            }
        });
    }

    /**
     * dx[b0+bl][c] (= or +=) the sum of every column entry that im2col copied from it. One task per
     * (image, channel) plane, adding in the fixed (tap, y, q) order: no races, same bits on any
     * thread count. Clobbers the padding entries of dcols.
     */
    static void col2im(Conv2dGeometry g, int[] taps, float[] dcols, int b0, int gn, float[] dx, boolean accumulate) {
        int kw = g.kernelW();
        int tapCount = taps.length;
        int channels = g.inChannels();
        int oh = g.outH();
        int ow = g.outW();
        int n = gn * oh * ow;
        int planeIn = g.height() * g.width();
        int sw = g.strideW();
        boolean sameRowLength = sw == 1 && g.strideH() == 1 && ow == g.width();
        forTasks(gn * channels, tapCount * oh * ow, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bl = task / channels;
                int c = task % channels;
                int dst = ((b0 + bl) * channels + c) * planeIn;
                if (!accumulate) {
                    zero(dx, dst, dst + planeIn);
                }
                for (int t = 0; t < tapCount; t++) {
                    int i = taps[t] / kw;
                    int j = taps[t] % kw;
                    int yFrom = Math.min(oh, firstInside(i, g.padH(), g.strideH()));
                    int yTo = Math.max(yFrom, lastInside(i, g.padH(), g.strideH(), g.height(), oh));
                    int qFrom = Math.min(ow, firstInside(j, g.padW(), sw));
                    int qTo = Math.max(qFrom, lastInside(j, g.padW(), sw, g.width(), ow));
                    int src = (c * tapCount + t) * n + bl * oh * ow;
                    if (sameRowLength && yFrom < yTo && qFrom < qTo) {
                        // As in im2col: one contiguous shifted add over the plane, after zeroing the
                        // entries that would wrap around a row edge (they belong to the padding).
                        for (int y = yFrom; y < yTo; y++) {
                            int s = src + y * ow;
                            zero(dcols, s, s + qFrom);
                            zero(dcols, s + qTo, s + ow);
                        }
                        int first = src + yFrom * ow + qFrom;
                        int length = (yTo - 1 - yFrom) * ow + qTo - qFrom;
                        int write = dst + (yFrom - g.padH() + i) * g.width() - g.padW() + j + qFrom - first;
                        for (int e = first; e < first + length; e++) {
                            dx[write + e] += dcols[e];
                        }
                        continue;
                    }
                    for (int y = yFrom; y < yTo; y++) {
                        int rowStart = dst + (y * g.strideH() - g.padH() + i) * g.width() - g.padW() + j;
                        int s = src + y * ow;
                        for (int q = qFrom; q < qTo; q++) {
                            dx[rowStart + q * sw] += dcols[s + q];
                        }
                    }
                }
            }
        });
    }

    static void zero(float[] a, int from, int to) {
        if (to - from >= 64) {
            java.util.Arrays.fill(a, from, to, 0f);
        } else {
            for (int k = from; k < to; k++) {
                a[k] = 0f;
            }
        }
    }

    /** First output position whose input position pos·stride − pad + tap is ≥ 0. */
    static int firstInside(int tap, int pad, int stride) {
        int need = pad - tap; // pos·stride ≥ pad − tap
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output position whose input position pos·stride − pad + tap is &lt; size. */
    static int lastInside(int tap, int pad, int stride, int size, int outSize) {
        int limit = size - 1 + pad - tap; // pos·stride ≤ limit
        return limit < 0 ? 0 : Math.min(outSize, limit / stride + 1);
    }
}
