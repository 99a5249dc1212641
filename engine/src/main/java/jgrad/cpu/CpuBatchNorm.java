package jgrad.cpu;

/**
 * CPU reference batch norm over [m][c][spatial] (NCHW with spatial = H·W, or [m][c] with spatial
 * 1). Statistics accumulate in double, each channel's values added in (image, position) order.
 *
 * <p>Speed without changing a bit: threads take ranges of channels (each channel's sums are its
 * own), and inside a range the loops walk image by image, so memory is read in order (channel by
 * channel, a channel's values lie one plane per image, a whole image apart). Four channels' sums
 * are carried side by side: a double sum is a chain of dependent adds, and four independent
 * chains run four times as fast as one. Neither changes the order in which any channel adds.
 */
final class CpuBatchNorm {
    /** Per-thread scratch of per-channel doubles, grown on demand (no allocation per call). */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[1][0]);

    private CpuBatchNorm() {}

    private static void need(float[] a, long n, String what) {
        if (n < 0 || a.length < n) {
            throw new IllegalArgumentException(what + " has " + a.length + " elements, op needs " + n);
        }
    }

    private static double[] scratch(int n) {
        double[][] holder = SCRATCH.get();
        if (holder[0].length < n) {
            holder[0] = new double[n];
        }
        return holder[0];
    }

    /** Channels per thread chunk so that each chunk has some 16k values to work on. */
    private static int channelChunk(long perChannel) {
        return (int) Math.max(1, (1 << 14) / Math.max(1, perChannel));
    }

    static void forward(float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean, float[] saveInvStd,
                        float[] runningMean, float[] runningVar, int m, int c, int spatial, float momentum, float eps,
                        boolean training) {
        long total = (long) m * c * spatial;
        need(x, total, "x");
        need(y, total, "y");
        for (float[] a : new float[][] {gamma, beta, saveMean, saveInvStd, runningMean, runningVar}) {
            need(a, c, "per-channel buffer");
        }
        long count = (long) m * spatial;
        if (training && count < 2) {
            throw new IllegalArgumentException("batch norm in training needs more than one value per channel, got "
                    + count);
        }
        Parallel.forRange(c, channelChunk(count), (from, to) -> {
            int n = to - from;
            // [0, n): Σx, then the mean; [n, 2n): Σ(x − mean)², then scale; [2n, 3n): shift.
            double[] acc = scratch(3 * n);
            java.util.Arrays.fill(acc, 0, 2 * n, 0);
            if (training) {
                for (int i = 0; i < m; i++) {
                    addSums(x, acc, null, 0, from, to, i, c, spatial);
                }
                for (int j = 0; j < n; j++) {
                    acc[j] /= count;
                }
                for (int i = 0; i < m; i++) {
                    addSums(x, acc, acc, n, from, to, i, c, spatial);
                }
            }
            for (int j = 0; j < n; j++) {
                int ch = from + j;
                double mean;
                double var;
                if (training) {
                    mean = acc[j];
                    var = acc[n + j] / count;
                    runningMean[ch] = (float) ((1 - momentum) * runningMean[ch] + momentum * mean);
                    runningVar[ch] = (float) ((1 - momentum) * runningVar[ch] + momentum * var * count / (count - 1));
                } else {
                    mean = runningMean[ch];
                    var = runningVar[ch];
                }
                double invStd = 1.0 / Math.sqrt(var + eps);
                saveMean[ch] = (float) mean;
                saveInvStd[ch] = (float) invStd;
                acc[n + j] = (float) (gamma[ch] * invStd);
                acc[2 * n + j] = (float) (beta[ch] - mean * gamma[ch] * invStd);
            }
            for (int i = 0; i < m; i++) {
                for (int ch = from; ch < to; ch++) {
                    float scale = (float) acc[n + ch - from];
                    float shift = (float) acc[2 * n + ch - from];
                    int base = (i * c + ch) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        y[base + k] = x[base + k] * scale + shift;
                    }
                }
            }
        });
    }

    /**
     * Image i's contribution to channels [from, to): with means == null, sums[at + j] += Σ x;
     * otherwise sums[at + j] += Σ (x − means[j])².
     */
    private static void addSums(float[] x, double[] sums, double[] means, int at, int from, int to, int i, int c,
                                int spatial) {
        int ch = from;
        for (; ch + 4 <= to; ch += 4) {
            int j = ch - from;
            int b0 = (i * c + ch) * spatial;
            int b1 = b0 + spatial;
            int b2 = b1 + spatial;
            int b3 = b2 + spatial;
            double s0 = sums[at + j], s1 = sums[at + j + 1], s2 = sums[at + j + 2], s3 = sums[at + j + 3];
            if (means == null) {
                for (int k = 0; k < spatial; k++) {
                    s0 += x[b0 + k];
                    s1 += x[b1 + k];
                    s2 += x[b2 + k];
                    s3 += x[b3 + k];
                }
            } else {
                double m0 = means[j], m1 = means[j + 1], m2 = means[j + 2], m3 = means[j + 3];
                for (int k = 0; k < spatial; k++) {
                    double d0 = x[b0 + k] - m0;
                    double d1 = x[b1 + k] - m1;
                    double d2 = x[b2 + k] - m2;
                    double d3 = x[b3 + k] - m3;
                    s0 += d0 * d0;
                    s1 += d1 * d1;
                    s2 += d2 * d2;
                    s3 += d3 * d3;
                }
            }
            sums[at + j] = s0;
            sums[at + j + 1] = s1;
            sums[at + j + 2] = s2;
            sums[at + j + 3] = s3;
        }
        for (; ch < to; ch++) {
            int j = ch - from;
            int base = (i * c + ch) * spatial;
            double s = sums[at + j];
            if (means == null) {
                for (int k = 0; k < spatial; k++) {
                    s += x[base + k];
                }
            } else {
                double mean = means[j];
                for (int k = 0; k < spatial; k++) {
                    double d = x[base + k] - mean;
                    s += d * d;
                }
            }
            sums[at + j] = s;
        }
    }

    static void backward(float[] x, float[] dy, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx,
                         float[] dgamma, float[] dbeta, int m, int c, int spatial, boolean accumulateDx,
                         boolean accumulateParams) {
        long total = (long) m * c * spatial;
        need(x, total, "x");
        need(dy, total, "dy");
        need(dx, total, "dx");
        long count = (long) m * spatial;
        // count·dy below is a float product (long × float promotes the long to float); converting
        // the long once, not per element, made the dx loop four times faster (same bits).
        float countF = count;
        Parallel.forRange(c, channelChunk(count), (from, to) -> {
            int n = to - from;
            // [0, n): Σdy; [n, 2n): Σdy·x̂.
            double[] acc = scratch(2 * n);
            java.util.Arrays.fill(acc, 0, 2 * n, 0);
            for (int i = 0; i < m; i++) {
                addGradientSums(x, dy, saveMean, saveInvStd, acc, n, from, to, i, c, spatial);
            }
            for (int j = 0; j < n; j++) {
                int ch = from + j;
                dbeta[ch] = (float) (accumulateParams ? dbeta[ch] + acc[j] : acc[j]);
                dgamma[ch] = (float) (accumulateParams ? dgamma[ch] + acc[n + j] : acc[n + j]);
            }
            for (int i = 0; i < m; i++) {
                for (int ch = from; ch < to; ch++) {
                    double mean = saveMean[ch];
                    double invStd = saveInvStd[ch];
                    double sumDy = acc[ch - from];
                    double sumDyXhat = acc[n + ch - from];
                    double k1 = gamma[ch] * invStd / count;
                    int base = (i * c + ch) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        double xhat = (x[base + k] - mean) * invStd;
                        float g = (float) (k1 * (countF * dy[base + k] - sumDy - xhat * sumDyXhat));
                        dx[base + k] = accumulateDx ? dx[base + k] + g : g;
                    }
                }
            }
        });
    }

    /** Image i's contribution to Σdy (sums[j]) and Σdy·x̂ (sums[n + j]) of channels [from, to). */
    private static void addGradientSums(float[] x, float[] dy, float[] saveMean, float[] saveInvStd, double[] sums,
                                        int n, int from, int to, int i, int c, int spatial) {
        int ch = from;
        for (; ch + 4 <= to; ch += 4) {
            int j = ch - from;
            int b0 = (i * c + ch) * spatial;
            int b1 = b0 + spatial;
            int b2 = b1 + spatial;
            int b3 = b2 + spatial;
            double m0 = saveMean[ch], m1 = saveMean[ch + 1], m2 = saveMean[ch + 2], m3 = saveMean[ch + 3];
            double r0 = saveInvStd[ch], r1 = saveInvStd[ch + 1], r2 = saveInvStd[ch + 2], r3 = saveInvStd[ch + 3];
            double d0 = sums[j], d1 = sums[j + 1], d2 = sums[j + 2], d3 = sums[j + 3];
            double h0 = sums[n + j], h1 = sums[n + j + 1], h2 = sums[n + j + 2], h3 = sums[n + j + 3];
            for (int k = 0; k < spatial; k++) {
                double g0 = dy[b0 + k];
                double g1 = dy[b1 + k];
                double g2 = dy[b2 + k];
                double g3 = dy[b3 + k];
                d0 += g0;
                d1 += g1;
                d2 += g2;
                d3 += g3;
                h0 += g0 * (x[b0 + k] - m0) * r0;
                h1 += g1 * (x[b1 + k] - m1) * r1;
                h2 += g2 * (x[b2 + k] - m2) * r2;
                h3 += g3 * (x[b3 + k] - m3) * r3;
            }
            sums[j] = d0;
            sums[j + 1] = d1;
            sums[j + 2] = d2;
            sums[j + 3] = d3;
            sums[n + j] = h0;
            sums[n + j + 1] = h1;
            sums[n + j + 2] = h2;
            sums[n + j + 3] = h3;
        }
        for (; ch < to; ch++) {
            int j = ch - from;
            int base = (i * c + ch) * spatial;
            double mean = saveMean[ch];
            double invStd = saveInvStd[ch];
            double sumDy = sums[j];
            double sumDyXhat = sums[n + j];
            for (int k = 0; k < spatial; k++) {
                double g = dy[base + k];
                sumDy += g;
                sumDyXhat += g * (x[base + k] - mean) * invStd;
            }
            sums[j] = sumDy;
            sums[n + j] = sumDyXhat;
        }
    }
}
