package jgrad.cpu;

import jgrad.device.Pool2dGeometry;
import jgrad.device.Storage;

/**
 * CPU reference for max and average pooling over NCHW planes. One task per (image, channel)
 * plane; inside a plane windows are visited in row-major order, so overlapping windows add their
 * gradients in a fixed order and the result does not depend on the thread count.
 *
 * <p>Max pooling: padding never wins (every window holds at least one real input, which the
 * geometry guarantees), and the gradient goes to the first maximum in row-major window order,
 * found again as the first input equal to the output. Average pooling divides by kh·kw whatever
 * part of the window is padding (count_include_pad).
 */
final class CpuPoolKernels {
    private static final int PARALLEL_MIN = 1 << 13;

    private CpuPoolKernels() {}

    private static void need(Storage s, long n, String what, Pool2dGeometry g) {
        if (s.numel() < n) {
            throw new IllegalArgumentException("pool2d: " + what + " has " + s.numel() + " elements, " + g + " needs " + n);
        }
    }

    private static void forPlanes(Pool2dGeometry g, Parallel.Body body) {
        int work = Math.max(1, g.height() * g.width());
        Parallel.forRange(g.batch() * g.channels(), Math.max(1, PARALLEL_MIN / work), body);
    }

    static void maxForward(Pool2dGeometry g, Storage xs, Storage ys) {
        need(xs, g.inputNumel(), "x", g);
        need(ys, g.outputNumel(), "y", g);
        float[] x = CpuOps.data(xs);
        float[] y = CpuOps.data(ys);
        int oh = g.outH();
        int ow = g.outW();
        int height = g.height();
        int width = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int ph = g.padH();
        int pw = g.padW();
        int plane = height * width;
        forPlanes(g, (from, to) -> {
            for (int p = from; p < to; p++) {
                int in = p * plane;
                int out = p * oh * ow;
                boolean nan = false;
                for (int i = in; i < in + plane; i++) {
                    nan |= x[i] != x[i];
                }
                for (int r = 0; r < oh; r++) {
                    int h0 = Math.max(0, r * sh - ph);
                    int h1 = Math.min(height, r * sh - ph + kh);
                    for (int c = 0; c < ow; c++) {
                        int w0 = Math.max(0, c * sw - pw);
                        int w1 = Math.min(width, c * sw - pw + kw);
                        float best = Float.NEGATIVE_INFINITY;
                        if (!nan) {
                            // Row maxima first, then the maximum of those: two short chains of
                            // dependent maxima instead of one through the whole window (3x faster
                            // for 3×3). Math.max differs from the comparison below only for NaN,
                            // excluded here, and in keeping +0 over −0 when a window holds both.
                            for (int h = h0; h < h1; h++) {
                                int row = in + h * width;
                                float rowMax = x[row + w0];
                                for (int w = w0 + 1; w < w1; w++) {
                                    rowMax = Math.max(rowMax, x[row + w]);
                                }
                                best = Math.max(best, rowMax);
                            }
                        } else {
                            for (int h = h0; h < h1; h++) {
                                int row = in + h * width;
                                for (int w = w0; w < w1; w++) {
                                    float v = x[row + w];
                                    best = v > best ? v : best; // a NaN never wins
                                }
                            }
                        }
                        y[out + r * ow + c] = best;
                    }
                }
            }
        });
    }

    static void maxBackward(Pool2dGeometry g, Storage xs, Storage ys, Storage dys, Storage dxs, boolean accumulate) {
        need(xs, g.inputNumel(), "x", g);
        need(ys, g.outputNumel(), "y", g);
        need(dys, g.outputNumel(), "dy", g);
        need(dxs, g.inputNumel(), "dx", g);
        float[] x = CpuOps.data(xs);
        float[] y = CpuOps.data(ys);
        float[] dy = CpuOps.data(dys);
        float[] dx = CpuOps.data(dxs);
        int oh = g.outH();
        int ow = g.outW();
        int planeIn = g.height() * g.width();
        forPlanes(g, (from, to) -> {
            for (int p = from; p < to; p++) {
                int in = p * planeIn;
                int out = p * oh * ow;
                if (!accumulate) {
                    java.util.Arrays.fill(dx, in, in + planeIn, 0f);
                }
                for (int r = 0; r < oh; r++) {
                    int h0 = g.windowRowStart(r);
                    int h1 = g.windowRowEnd(r);
                    for (int c = 0; c < ow; c++) {
                        int w0 = g.windowColStart(c);
                        int w1 = g.windowColEnd(c);
                        float target = y[out + r * ow + c];
                        int at = firstEqual(x, in, g.width(), h0, h1, w0, w1, target);
                        if (at >= 0) {
                            dx[at] += dy[out + r * ow + c];
                        }
                    }
                }
            }
        });
    }

    /** Index of the first x in the window equal to target, or −1 (a NaN maximum matches nothing). */
    private static int firstEqual(float[] x, int in, int width, int h0, int h1, int w0, int w1, float target) {
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                int i = in + h * width + w;
                if (x[i] == target) {
                    return i;
                }
            }
        }
        return -1;
    }

    static void avgForward(Pool2dGeometry g, Storage xs, Storage ys) {
        need(xs, g.inputNumel(), "x", g);
        need(ys, g.outputNumel(), "y", g);
        float[] x = CpuOps.data(xs);
        float[] y = CpuOps.data(ys);
        int oh = g.outH();
        int ow = g.outW();
        double area = (double) g.kernelH() * g.kernelW();
        forPlanes(g, (from, to) -> {
            for (int p = from; p < to; p++) {
                int in = p * g.height() * g.width();
                int out = p * oh * ow;
                for (int r = 0; r < oh; r++) {
                    int h0 = g.windowRowStart(r);
                    int h1 = g.windowRowEnd(r);
                    for (int c = 0; c < ow; c++) {
                        int w0 = g.windowColStart(c);
                        int w1 = g.windowColEnd(c);
                        double s = 0;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                s += x[in + h * g.width() + w];
                            }
                        }
                        y[out + r * ow + c] = (float) (s / area);
                    }
                }
            }
        });
    }

    static void avgBackward(Pool2dGeometry g, Storage dys, Storage dxs, boolean accumulate) {
        need(dys, g.outputNumel(), "dy", g);
        need(dxs, g.inputNumel(), "dx", g);
        float[] dy = CpuOps.data(dys);
        float[] dx = CpuOps.data(dxs);
        int oh = g.outH();
        int ow = g.outW();
        int planeIn = g.height() * g.width();
        float area = (float) g.kernelH() * g.kernelW();
        forPlanes(g, (from, to) -> {
            for (int p = from; p < to; p++) {
                int in = p * planeIn;
                int out = p * oh * ow;
                if (!accumulate) {
                    java.util.Arrays.fill(dx, in, in + planeIn, 0f);
                }
                for (int r = 0; r < oh; r++) {
                    int h0 = g.windowRowStart(r);
                    int h1 = g.windowRowEnd(r);
                    for (int c = 0; c < ow; c++) {
                        int w0 = g.windowColStart(c);
                        int w1 = g.windowColEnd(c);
                        float share = dy[out + r * ow + c] / area;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                dx[in + h * g.width() + w] += share;
                            }
                        }
                    }
                }
            }
        });
    }
}
